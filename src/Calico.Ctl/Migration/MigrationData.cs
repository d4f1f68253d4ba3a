using Calico.Api;

namespace Calico.Ctl.Migration;

/// <summary>What an export holds: the v3 resources (in import order), ClusterInformation and the IPAM records.</summary>
internal sealed record MigrationData(IReadOnlyList<Resource> Resources, ClusterInformation ClusterInformation, IpamDump Ipam);
