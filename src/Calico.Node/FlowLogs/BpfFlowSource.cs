using System.Threading.Channels;
using Calico.Felix.Bpf;
using Calico.Felix.Dataplane.Bpf;
using Calico.Felix.FlowLogs;
using Calico.Linux.Bpf;

namespace Calico.Node.FlowLogs;

/// <summary>
/// The eBPF dataplane's side of flow logs, beside NFLOG (which still logs host endpoint verdicts): the programs'
/// verdict events from the pinned <c>cali_flowlog</c> ring buffer, read on a thread of its own into a channel, and the
/// per-flow counters of <c>cali_ct_fl</c> sampled at each flush. Works whenever the pins exist under the bpffs root
/// (bpfEnabled on, now or later: the reader looks again every <see cref="ReopenInterval"/>), and is idle otherwise.
/// </summary>
internal sealed class BpfFlowSource(string root)
{
    public static readonly TimeSpan ReopenInterval = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);

    private readonly Channel<BpfFlowEvent> _events = Channel.CreateBounded<BpfFlowEvent>(
        new BoundedChannelOptions(65_536) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.DropWrite });

    private long _dropped;
    private long _undecodable;

    public ChannelReader<BpfFlowEvent> Events => _events.Reader;

    /// <summary>Events the programs could not write (the ring full), as of the last <see cref="Sample"/>.</summary>
    public long LostInKernel { get; private set; }

    /// <summary>Events lost: the channel full (the collector behind), or a record that did not decode.</summary>
    public long Dropped => Interlocked.Read(ref _dropped) + Interlocked.Read(ref _undecodable);

    /// <summary>Why the reader is not reading (no pins: not in BPF mode), or null while it reads.</summary>
    public string? Idle { get; private set; } = "not started";

    /// <summary>Reads the ring until cancelled, reopening it when the pins come (or come back after BPF mode went).</summary>
    public void Run(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            string ring = BpfMapLayout.PinPath(root, BpfMapLayout.FlowLogRingMap);
            if (!File.Exists(ring))
            {
                Idle = "no " + ring;
                cancellationToken.WaitHandle.WaitOne(ReopenInterval);
                continue;
            }

            try
            {
                using BpfMap map = BpfMap.OpenPinned(ring);
                using BpfRingBuffer reader = BpfRingBuffer.Open(map, Handle);
                Idle = null;
                while (!cancellationToken.IsCancellationRequested && File.Exists(ring))
                {
                    reader.Poll(PollTimeout);
                }
            }
            catch (Exception e) when (e is BpfException or IOException or UnauthorizedAccessException)
            {
                Idle = e.Message;
                cancellationToken.WaitHandle.WaitOne(ReopenInterval);
            }
        }

        _events.Writer.TryComplete();
    }

    private void Handle(ReadOnlySpan<byte> record)
    {
        BpfFlowEvent decoded;
        try
        {
            decoded = BpfFlowEvent.Decode(record);
        }
        catch (ArgumentException)
        {
            Interlocked.Increment(ref _undecodable);
            return;
        }

        if (!_events.Writer.TryWrite(decoded))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>
    /// Adds every counted flow's counters to <paramref name="aggregator"/> (inside its conntrack dump), and deletes the
    /// counters of the flows that are over, after their last sample. False when the pins are not there (not in BPF
    /// mode); a failing map call throws <see cref="BpfException"/>.
    /// </summary>
    public bool Sample(FlowAggregator aggregator, ulong nowNs)
    {
        ArgumentNullException.ThrowIfNull(aggregator);
        string countersPath = BpfMapLayout.PinPath(root, BpfMapLayout.FlowCounterMap);
        string conntrackPath = BpfMapLayout.PinPath(root, BpfMapLayout.ConntrackMap);
        if (!File.Exists(countersPath) || !File.Exists(conntrackPath))
        {
            return false;
        }

        using BpfMap counters = BpfMap.OpenPinned(countersPath);
        using BpfMap conntrack = BpfMap.OpenPinned(conntrackPath);
        var over = new List<byte[]>();
        var entry = new byte[BpfMapLayout.ConntrackValueSize];
        counters.ForEachBatch(BpfConntrackScanner.BatchEntries, (keys, values, count) =>
        {
            for (int i = 0; i < count; i++)
            {
                ReadOnlySpan<byte> key = keys.Slice(i * BpfMapLayout.ConntrackKeySize, BpfMapLayout.ConntrackKeySize);
                ReadOnlySpan<byte> flow = values.Slice(i * BpfMapLayout.FlowCountersSize, BpfMapLayout.FlowCountersSize);
                bool live = conntrack.TryLookup(key, entry);
                IReadOnlyList<ConntrackSample> samples = BpfFlowSamples.From(key, flow, live ? entry : [], nowNs, out bool ended);
                foreach (ConntrackSample sample in samples)
                {
                    aggregator.ObserveConntrack(sample);
                }

                if (ended)
                {
                    over.Add(key.ToArray());
                }
            }
        });

        foreach (byte[] key in over)
        {
            counters.Delete(key);
        }

        string config = BpfMapLayout.PinPath(root, BpfMapLayout.FlowLogConfigMap);
        if (File.Exists(config))
        {
            using BpfMap map = BpfMap.OpenPinned(config);
            if (map.Lookup(new byte[4]) is { } current)
            {
                LostInKernel = (long)BpfMapLayout.ReadFlowLogConfig(current).Lost;
            }
        }

        return true;
    }
}
