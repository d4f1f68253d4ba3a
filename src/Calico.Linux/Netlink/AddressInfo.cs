using System.Net;

namespace Calico.Linux.Netlink;

/// <summary>An interface address (RTM_NEWADDR answer). Scope: 0 universe, 253 link, 254 host.</summary>
public sealed record AddressInfo(int InterfaceIndex, IPAddress Address, int PrefixLength, byte Scope, uint Flags);
