using System.Net;

namespace Calico.Felix.Bpf;

/// <summary>A connection the kernel's conntrack holds, as the workloads see it (after any DNAT: the real destination).</summary>
public sealed record PickedUpFlow(byte Protocol, IPAddress Source, ushort SourcePort, IPAddress Destination, ushort DestinationPort);

/// <summary>
/// Entering BPF mode on a running node, the programs' own conntrack is empty: a connection nftables let through
/// would meet policy again at its next packet, and a reply direction that policy does not allow (a server with ingress
/// rules only) would be cut. So the kernel's connections that have seen a reply (both directions passed policy, as nft's
/// conntrack would keep accepting them) are written into cali_ct first as established, approved at the hooks of the
/// local workloads at either end, as upstream's BPF mode picks up Linux conntrack. Pure: the caller dumps the kernel's
/// table and writes with BPF_NOEXIST (an entry the programs already hold wins).
/// </summary>
public static class BpfConntrackPickup
{
    /// <summary>The flag the program sets on a flow opened towards a local workload (CALI_CT_F_NEEDS_INGRESS).</summary>
    public const ushort NeedsIngress = 0x1;

    /// <summary>TCP, UDP, UDP-Lite and SCTP: the protocols whose ports the program tracks (ICMP echo lives 5 s anyway).</summary>
    public static bool IsPickedUp(byte protocol) => protocol is 6 or 17 or 136 or 132;

    /// <summary>The cali_ct entry for <paramref name="flow"/>, or null when neither end is a local workload (or the protocol is not tracked by port).</summary>
    public static (byte[] Key, byte[] Value)? Entry(PickedUpFlow flow, Func<IPAddress, uint?> localWorkloadIfindex, ulong nowNs)
    {
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentNullException.ThrowIfNull(localWorkloadIfindex);
        if (!IsPickedUp(flow.Protocol) || flow.Source.AddressFamily != flow.Destination.AddressFamily)
        {
            return null;
        }

        uint? from = localWorkloadIfindex(flow.Source);
        uint? to = localWorkloadIfindex(flow.Destination);
        if (from is null && to is null)
        {
            return null;
        }

        bool sourceIsLow = BpfMapLayout.SourceIsLow(flow.Source, flow.SourcePort, flow.Destination, flow.DestinationPort);
        var entry = new ConntrackEntry(
            nowNs,
            nowNs,
            ConntrackState.Established,
            sourceIsLow ? ConntrackOpener.Low : ConntrackOpener.High,
            to is null ? (ushort)0 : NeedsIngress,
            from ?? 0,
            to ?? 0);
        return (BpfMapLayout.ConntrackKey(flow.Source, flow.SourcePort, flow.Destination, flow.DestinationPort, flow.Protocol), BpfMapLayout.ConntrackValue(entry));
    }
}
