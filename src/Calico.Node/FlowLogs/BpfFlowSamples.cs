using Calico.Felix.Bpf;
using Calico.Felix.FlowLogs;

namespace Calico.Node.FlowLogs;

/// <summary>
/// The programs' per-flow counters (a cali_ct_fl entry) as the aggregator's conntrack samples, with the flow's
/// cali_ct entry for its direction and its end. Pure: the I/O is <see cref="BpfFlowSource"/>.
/// </summary>
internal static class BpfFlowSamples
{
    /// <summary>
    /// The samples of one counted flow at <paramref name="nowNs"/> (CLOCK_MONOTONIC): one, oriented by the entry's
    /// opener; or, with no entry left (the scanner deleted it, or the LRU did), both orientations, of which the
    /// aggregator knows at most one. <paramref name="over"/>: the flow has ended (no entry, idle past its timeout, or
    /// closing), so the samples are its DESTROY and its counters can go.
    /// </summary>
    public static IReadOnlyList<ConntrackSample> From(ReadOnlySpan<byte> key, ReadOnlySpan<byte> counters, ReadOnlySpan<byte> conntrack, ulong nowNs, out bool over)
    {
        ConntrackTuple ends = BpfMapLayout.ReadConntrackKey(key);
        var (packetsOriginal, bytesOriginal, packetsReply, bytesReply) = BpfMapLayout.ReadFlowCounters(counters);
        var low = new FlowTuple(ends.Low, ends.High, ends.Protocol, ends.LowPort, ends.HighPort);
        var high = new FlowTuple(ends.High, ends.Low, ends.Protocol, ends.HighPort, ends.LowPort);
        if (conntrack.IsEmpty)
        {
            over = true;
            return [Sample(low, high, true), Sample(high, low, true)];
        }

        ConntrackEntry entry = BpfMapLayout.ReadConntrackValue(conntrack);
        over = entry.State == ConntrackState.Closing || ConntrackExpiry.IsExpired(entry, ends.Protocol, nowNs);
        return entry.Opener == ConntrackOpener.Low ? [Sample(low, high, over)] : [Sample(high, low, over)];

        ConntrackSample Sample(FlowTuple original, FlowTuple reply, bool destroyed) => new(original, reply,
            (long)packetsOriginal, (long)bytesOriginal, (long)packetsReply, (long)bytesReply, destroyed);
    }
}
