using System.Diagnostics;
using System.Globalization;

namespace Calico.Node.Routing;

/// <summary>
/// Monotonic timestamps (<see cref="Stopwatch.GetTimestamp"/>: CLOCK_MONOTONIC, comparable across processes on the
/// host) of the steps from the datastore update that caused an apply reaching the routing loop to BIRD running the
/// configuration it caused: update received (the syncer's callback), apply started, configuration rendered, file
/// written, BIRD accepted and runs it. The routing loop, the driver and <see cref="BirdSupervisor"/> mark their steps
/// in turn (one apply at a time, on the routing loop); the supervisor logs the split with each reconfiguration, which
/// is where the time from a new block to its announcement goes on this host, with the apply's cause
/// (<see cref="RoutingApplyCause"/>) and how many applies since the previous reload left BIRD's configuration as it
/// was (they render and compare, nothing more).
/// </summary>
internal sealed class RoutingApplyTrace
{
    private RoutingApplyCause _cause;

    /// <summary>Why the current apply runs.</summary>
    public RoutingApplyCause Cause => _cause;

    /// <summary>When the update that caused this apply reached the routing loop (the apply's start when none did).</summary>
    public long Received { get; private set; }

    public long Started { get; private set; }

    public long Rendered { get; private set; }

    public long Written { get; private set; }

    public long Checked { get; private set; }

    /// <summary>Applies since the last reload whose rendered configuration was the one BIRD runs (no write, no configure).</summary>
    public int UnchangedSinceReload { get; private set; }

    /// <summary>An apply starts, for <paramref name="cause"/>.</summary>
    public void Begin(RoutingApplyCause cause)
    {
        Started = Stopwatch.GetTimestamp();
        _cause = cause;
        Received = cause.Received == 0 ? Started : cause.Received;
        Rendered = Written = Checked = 0;
    }

    public void MarkRendered() => Rendered = Stopwatch.GetTimestamp();

    public void MarkWritten() => Written = Stopwatch.GetTimestamp();

    public void MarkChecked() => Checked = Stopwatch.GetTimestamp();

    /// <summary>This apply's configuration is the one BIRD already runs: nothing written, BIRD not asked.</summary>
    public void MarkUnchanged() => UnchangedSinceReload++;

    /// <summary>
    /// "wait 0.10, render 0.40, write 0.20, check 0.00, configure 3.10 ms (received at monotonic 123456789 ns); cause
    /// /calico/ipam/v2/host/h/ipv4/block/10.0.0.0-26, queued 0.02 ms, first update 6.10 ms before it; 0 applies
    /// unchanged since the previous reload": each step since the previous one, up to <paramref name="configured"/> (a
    /// step not marked this apply reads 0); wait is from the causing update's arrival to the apply's start, queued the
    /// part of it the update spent in the loop's queue (an apply was running). Resets the unchanged count.
    /// </summary>
    public string Describe(long configured)
    {
        long started = Started == 0 ? configured : Started;
        long received = Received == 0 ? started : Received;
        long rendered = Rendered == 0 ? started : Rendered;
        long written = Written == 0 ? rendered : Written;
        long checkedAt = Checked == 0 ? written : Checked;
        long dequeued = _cause.Dequeued == 0 ? received : _cause.Dequeued;
        long first = _cause.FirstReceived == 0 ? received : _cause.FirstReceived;
        int unchanged = UnchangedSinceReload;
        UnchangedSinceReload = 0;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"wait {Ms(received, started):F2}, render {Ms(started, rendered):F2}, write {Ms(rendered, written):F2}, check {Ms(written, checkedAt):F2}, configure {Ms(checkedAt, configured):F2} ms (received at monotonic {Nanoseconds(received)} ns); cause {_cause.What ?? "start"}, queued {Ms(received, dequeued):F2} ms, first update {Ms(first, received):F2} ms before it; {unchanged} applies unchanged since the previous reload");
    }

    /// <summary>A <see cref="Stopwatch"/> timestamp in nanoseconds of the monotonic clock.</summary>
    public static long Nanoseconds(long timestamp) => (long)(timestamp * (1_000_000_000.0 / Stopwatch.Frequency));

    private static double Ms(long from, long to) => Math.Max(0, to - from) * 1000.0 / Stopwatch.Frequency;
}
