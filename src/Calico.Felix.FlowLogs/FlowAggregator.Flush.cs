using Calico.Goldmane.Api;
using Action = Calico.Goldmane.Api.Action;

namespace Calico.Felix.FlowLogs;

public sealed partial class FlowAggregator
{
    /// <summary>
    /// Ends the interval: one record per flow key seen in it, live connections included (with their counters'
    /// growth since the last flush). With <paramref name="dumpComplete"/>, connections the last conntrack dump did
    /// not mention are completed. In Continuous mode the pending trace of each live connection is evaluated again.
    /// </summary>
    public IReadOnlyList<FlowRecord> Flush(bool dumpComplete = false)
    {
        var now = _time.GetUtcNow();
        if (_pending is not null)
        {
            Reevaluate();
        }

        List<(FlowTuple Tuple, Reporter Reporter)>? over = null;
        foreach (var (id, conn) in _connections)
        {
            if (dumpComplete && conn.SeenGeneration != _dumpGeneration)
            {
                (over ??= []).Add(id);
                continue;
            }

            MoveIntoInterval(id.Tuple, conn, completed: false);
        }

        if (over is not null)
        {
            foreach (var id in over)
            {
                MoveIntoInterval(id.Tuple, _connections[id], completed: true);
                _connections.Remove(id);
            }
        }

        var records = new List<FlowRecord>(_interval.Count);
        foreach (var (key, acc) in _interval)
        {
            var flow = new Flow
            {
                Key = key,
                StartTime = _intervalStart.ToUnixTimeSeconds(),
                EndTime = now.ToUnixTimeSeconds(),
                PacketsIn = acc.PacketsIn,
                PacketsOut = acc.PacketsOut,
                BytesIn = acc.BytesIn,
                BytesOut = acc.BytesOut,
                NumConnectionsStarted = acc.Started,
                NumConnectionsCompleted = acc.Completed,
                NumConnectionsLive = acc.Live,
            };
            flow.SourceLabels.AddRange(acc.SourceLabels);
            flow.DestLabels.AddRange(acc.DestLabels);
            records.Add(new FlowRecord(flow, acc.Samples, acc.SamplesOmitted));
        }

        Counters.FlowsFlushed += records.Count;
        _interval.Clear();
        _deniedThisInterval.Clear();
        _openTraces.Clear();
        _intervalStart = now;
        return records;
    }

    /// <summary>Adds a connection's growth since the last flush to its flow's record: live, or completed.</summary>
    private void MoveIntoInterval(FlowTuple tuple, Connection conn, bool completed)
    {
        if (AccumulatorFor(conn.Key, conn.Source, conn.Destination) is { } acc)
        {
            acc.PacketsIn += conn.PacketsIn;
            acc.PacketsOut += conn.PacketsOut;
            acc.BytesIn += conn.BytesIn;
            acc.BytesOut += conn.BytesOut;
            acc.AddSample(tuple, _options.MaxConnectionSamplesPerFlow);
            if (completed)
            {
                acc.Completed++;
            }
            else
            {
                acc.Live++;
            }
        }

        conn.PacketsIn = conn.PacketsOut = conn.BytesIn = conn.BytesOut = 0;
    }

    /// <summary>Continuous mode: a policy change since a connection began shows in its next interval's pending trace.</summary>
    private void Reevaluate()
    {
        foreach (var ((tuple, reporter), conn) in _connections)
        {
            var (key, src, dst) = BuildKey(tuple, reporter, conn.Key.Action, conn.Enforced, PendingTrace(tuple, reporter));
            conn.Key = key;
            conn.Source = src;
            conn.Destination = dst;
        }
    }
}
