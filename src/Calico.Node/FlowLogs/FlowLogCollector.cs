using System.Threading.Channels;
using Calico.Felix.FlowLogs;
using Calico.Linux.Conntrack;
using Calico.Linux.Nflog;
using Calico.Node.Startup;
using Microsoft.Extensions.Logging;

namespace Calico.Node.FlowLogs;

/// <summary>
/// calico-node's flow-log loop, on its own task (never the agent's): reads NFLOG groups 1 and 2 and conntrack
/// DESTROY events in calico-node's namespace, feeds <see cref="FlowAggregator"/>, and every flush interval dumps
/// conntrack (the live connections' counters), flushes, and hands the records to the goldmane client and/or the
/// local reporter. Nothing here waits on the dataplane; the agent's only cost is the tap's state copy.
/// </summary>
internal sealed partial class FlowLogCollector(
    FlowLogCollectorOptions options,
    ProgrammedRules rules,
    FlowLogIdentityFeed identities,
    GoldmaneFlowClient? goldmane,
    LocalFlowReporter? local,
    FlowMetricsSink metrics,
    ILogger logger,
    TimeProvider time,
    BpfFlowSource? bpf = null)
{
    private const int BatchSize = 1024;

    /// <summary>Logged packets per nfnetlink_log datagram (sent sooner at the reader's 10 ms flush timeout).</summary>
    private const int NflogQueueThreshold = 64;

    /// <summary>How long each reader pauses after a read that yielded records (the kernel queues meanwhile).</summary>
    private static readonly TimeSpan ReaderCoalesce = TimeSpan.FromMilliseconds(10);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Counters exist only for connections that begin after this (per namespace, as upstream's Felix needs too).
            ConntrackTable.EnableAccounting();
        }
        catch (Linux.NetlinkException e)
        {
            Log.NoAccounting(logger, e.Message);
        }

        // Per new flow the kernel logs one packet and later ends one connection: batched (NFLOG queue threshold, the
        // readers pausing between batches) so a busy host wakes this collector a few hundred times a second at most,
        // not several times per flow; connection starts are not subscribed to (only ends carry what is used).
        using NflogReader nflog = NflogReader.Open([Felix.Rules.FlowLogs.FlowLogPrefix.IngressGroup, Felix.Rules.FlowLogs.FlowLogPrefix.EgressGroup], queueThreshold: NflogQueueThreshold);
        using ConntrackEvents events = ConntrackEvents.Open(destroyOnly: true);
        using ConntrackTable table = ConntrackTable.Open();
        ChannelReader<NflogPacket> packets = nflog.Start(coalesce: ReaderCoalesce);
        ChannelReader<ConntrackEntry> ctEvents = events.Start(coalesce: ReaderCoalesce);
        Task<Task>? goldmaneRun = goldmane is null ? null : Task.Factory.StartNew(() => goldmane.RunAsync(cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var aggregator = new FlowAggregator(options.Aggregator, rules, time, rules) { EnforcedTraces = rules };

        // BPF mode: the programs' verdicts from their ring buffer (its own thread; idle while there are no pins).
        Task? bpfRun = bpf is null ? null : Task.Factory.StartNew(() => bpf.Run(cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        ChannelReader<BpfFlowEvent>? verdicts = bpf?.Events;
        Log.Started(logger, options.FlushInterval.TotalSeconds, goldmane is not null, local?.Path ?? "off");
        DateTimeOffset nextFlush = time.GetUtcNow() + options.FlushInterval;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                TimeSpan untilFlush = nextFlush - time.GetUtcNow();
                if (untilFlush > TimeSpan.Zero && !packets.TryPeek(out _) && !ctEvents.TryPeek(out _) && verdicts?.TryPeek(out _) != true)
                {
                    using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    Task delay = Task.Delay(untilFlush, time, wake.Token);
                    Task bpfReady = verdicts is null ? delay : verdicts.WaitToReadAsync(wake.Token).AsTask();
                    await Task.WhenAny(packets.WaitToReadAsync(wake.Token).AsTask(), ctEvents.WaitToReadAsync(wake.Token).AsTask(), bpfReady, delay).ConfigureAwait(false);
                    await wake.CancelAsync().ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                }

                rules.Refresh();
                aggregator.Identities = identities.Current;
                for (int n = 0; n < BatchSize && packets.TryRead(out NflogPacket? p); n++)
                {
                    aggregator.ObservePacket(new LoggedPacket(Tuple(p.Source, p.Destination, p.Protocol, p.SourcePort, p.DestinationPort), p.PacketLength, p.Prefix));
                }

                for (int n = 0; verdicts is not null && n < BatchSize && verdicts.TryRead(out BpfFlowEvent? v); n++)
                {
                    aggregator.ObserveBpfVerdict(v);
                }

                for (int n = 0; n < BatchSize && ctEvents.TryRead(out ConntrackEntry? e); n++)
                {
                    if (e.Kind == ConntrackEventKind.Destroy)
                    {
                        aggregator.ObserveConntrack(Sample(e, destroyed: true));
                    }
                }

                if (time.GetUtcNow() >= nextFlush)
                {
                    Flush(aggregator, table, nflog.Overflows + events.Overflows + (bpf is null ? 0 : bpf.Dropped + bpf.LostInKernel));
                    nextFlush += options.FlushInterval;
                    if (nextFlush <= time.GetUtcNow())
                    {
                        nextFlush = time.GetUtcNow() + options.FlushInterval;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (bpfRun is not null)
            {
                await bpfRun.ConfigureAwait(false);
            }

            if (goldmaneRun is not null)
            {
                try
                {
                    await (await goldmaneRun.ConfigureAwait(false)).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    private void Flush(FlowAggregator aggregator, ConntrackTable table, long overflows)
    {
        bool complete = true;
        aggregator.BeginConntrackDump();
        try
        {
            foreach (ConntrackEntry entry in table.Dump())
            {
                aggregator.ObserveConntrack(Sample(entry, destroyed: false));
            }
        }
        catch (Linux.NetlinkException e)
        {
            complete = false;
            Log.DumpFailed(logger, e.Message);
        }

        try
        {
            // The eBPF programs' flows (untracked by the kernel): their counters, and their ends.
            bpf?.Sample(aggregator, Felix.Dataplane.Bpf.BpfConntrackScanner.MonotonicNowNs());
        }
        catch (Linux.Bpf.BpfException e)
        {
            complete = false;
            Log.DumpFailed(logger, "eBPF flow counters: " + e.Message);
        }

        IReadOnlyList<FlowRecord> records = aggregator.Flush(dumpComplete: complete);
        metrics.FromAggregator(aggregator.Counters, aggregator.TrackedConnections, overflows);
        metrics.Flushed(records.Count);
        if (goldmane is not null)
        {
            foreach (FlowRecord r in records)
            {
                goldmane.Push(r.Flow);
            }
        }

        if (local is not null)
        {
            try
            {
                local.Write(records);
            }
            catch (IOException e)
            {
                Log.LocalWriteFailed(logger, local.Path, e.Message);
            }
        }

        Log.Flushed(logger, records.Count, aggregator.TrackedConnections);
    }

    private static FlowTuple Tuple(System.Net.IPAddress src, System.Net.IPAddress dst, int protocol, int srcPort, int dstPort) =>
        new(src, dst, protocol, srcPort, dstPort);

    private static ConntrackSample Sample(ConntrackEntry e, bool destroyed) => new(
        Tuple(e.Original.Source, e.Original.Destination, e.Original.Protocol, e.Original.SourcePort, e.Original.DestinationPort),
        Tuple(e.Reply.Source, e.Reply.Destination, e.Reply.Protocol, e.Reply.SourcePort, e.Reply.DestinationPort),
        (long)e.OriginalPackets, (long)e.OriginalBytes, (long)e.ReplyPackets, (long)e.ReplyBytes, destroyed);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Flow logs on: flush every {Seconds} s, goldmane {Goldmane}, local reporter {Local}")]
        public static partial void Started(ILogger logger, double seconds, bool goldmane, string local);

        [LoggerMessage(2, LogLevel.Debug, "Flow logs: flushed {Flows} flows, {Connections} connections tracked")]
        public static partial void Flushed(ILogger logger, int flows, int connections);

        [LoggerMessage(3, LogLevel.Warning, "Flow logs: conntrack dump failed ({Reason}); live connections keep their last counters until the next one")]
        public static partial void DumpFailed(ILogger logger, string reason);

        [LoggerMessage(4, LogLevel.Warning, "Flow logs: writing {Path} failed: {Reason}")]
        public static partial void LocalWriteFailed(ILogger logger, string path, string reason);

        [LoggerMessage(5, LogLevel.Warning, "Flow logs: could not set nf_conntrack_acct=1 in this namespace ({Reason}); allowed flows will show zero bytes")]
        public static partial void NoAccounting(ILogger logger, string reason);
    }
}
