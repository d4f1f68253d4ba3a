using Calico.Goldmane.Api;
using Action = Calico.Goldmane.Api.Action;

namespace Calico.Felix.FlowLogs;

public sealed partial class FlowAggregator
{
    /// <summary>
    /// Marks the start of a full conntrack dump: connections no sample of this dump mentions are over at the next
    /// <see cref="Flush"/> with <c>dumpComplete</c> (their DESTROY event was lost).
    /// </summary>
    public void BeginConntrackDump() => _dumpGeneration++;

    /// <summary>Adds a tracked connection's counter growth (both reporting sides when both ends are local).</summary>
    public void ObserveConntrack(ConntrackSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        Apply(sample, Reporter.Src);
        Apply(sample, Reporter.Dst);
    }

    private void Apply(ConntrackSample sample, Reporter reporter)
    {
        var id = (sample.Original, reporter);
        if (!_connections.TryGetValue(id, out var conn))
        {
            // The log rule saw the post-DNAT destination, which is the reply's source.
            var natted = sample.Original with { Dst = sample.Reply.Src, DstPort = sample.Reply.SrcPort };
            id = (natted, reporter);
            if (natted == sample.Original || !_connections.TryGetValue(id, out conn))
            {
                return;
            }
        }

        conn.SeenGeneration = _dumpGeneration;
        long packetsOrig = Math.Max(0, sample.PacketsOriginal - conn.PacketsOriginal);
        long bytesOrig = Math.Max(0, sample.BytesOriginal - conn.BytesOriginal);
        long packetsReply = Math.Max(0, sample.PacketsReply - conn.PacketsReply);
        long bytesReply = Math.Max(0, sample.BytesReply - conn.BytesReply);
        conn.PacketsOriginal = Math.Max(conn.PacketsOriginal, sample.PacketsOriginal);
        conn.BytesOriginal = Math.Max(conn.BytesOriginal, sample.BytesOriginal);
        conn.PacketsReply = Math.Max(conn.PacketsReply, sample.PacketsReply);
        conn.BytesReply = Math.Max(conn.BytesReply, sample.BytesReply);

        // The source side sends the original direction; the destination side receives it.
        if (reporter == Reporter.Src)
        {
            conn.PacketsOut += packetsOrig;
            conn.BytesOut += bytesOrig;
            conn.PacketsIn += packetsReply;
            conn.BytesIn += bytesReply;
        }
        else
        {
            conn.PacketsIn += packetsOrig;
            conn.BytesIn += bytesOrig;
            conn.PacketsOut += packetsReply;
            conn.BytesOut += bytesReply;
        }

        if (sample.Destroyed)
        {
            MoveIntoInterval(id.Item1, conn, completed: true);
        }

        if (sample.Destroyed)
        {
            _connections.Remove(id);
        }
    }
}
