using System.Net;

namespace Calico.Linux.Netlink;

/// <summary>
/// The IFLA_INFO_DATA of a link of kind "vxlan" as the kernel reports it: what a manager compares to decide whether
/// the device can be kept or has to be re-created (none of these can be changed on a live device).
/// </summary>
public sealed record VxlanAttributes(int Vni, int Port, IPAddress? LocalAddress, int ParentIndex, bool Learning);
