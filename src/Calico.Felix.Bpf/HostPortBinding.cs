using System.Net;

namespace Calico.Felix.Bpf;

/// <summary>
/// A host connection re-ported by NAT outgoing in BPF (<see cref="BpfMapLayout.ReadHostPortBinding"/>): the host opened
/// <see cref="Source"/>:<see cref="SourcePort"/> → <see cref="Destination"/>:<see cref="DestinationPort"/> and it
/// leaves from <see cref="LeavesWithPort"/> (upstream's conntrack flag "host-psnat").
/// </summary>
public sealed record HostPortBinding(byte Protocol, IPAddress Source, ushort SourcePort, IPAddress Destination, ushort DestinationPort, ushort LeavesWithPort, ulong LastSeenNs);
