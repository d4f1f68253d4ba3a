using System.Diagnostics;
using System.Globalization;

namespace Calico.Node.Routing;

/// <summary>
/// Monotonic timestamps (<see cref="Stopwatch.GetTimestamp"/>: CLOCK_MONOTONIC, comparable across processes on the
/// host) of the steps from a datastore update reaching the routing loop to BIRD running the configuration it caused:
/// update received (the syncer's callback), apply started, configuration rendered, file written, BIRD accepted and
/// runs it. The routing loop, the driver and <see cref="BirdSupervisor"/> mark their steps in turn (one apply at a
/// time, on the routing loop); the supervisor logs the split with each reconfiguration, which is where the time from a
/// new block to its announcement goes on this host.
/// </summary>
internal sealed class RoutingApplyTrace
{
    private long _received;

    public long Received { get; private set; }

    public long Started { get; private set; }

    public long Rendered { get; private set; }

    public long Written { get; private set; }

    public long Checked { get; private set; }

    /// <summary>Called from the syncer's callback: the first update since the last apply began.</summary>
    public void OnReceived() => Interlocked.CompareExchange(ref _received, Stopwatch.GetTimestamp(), 0);

    /// <summary>An apply starts: it covers what was received so far.</summary>
    public void Begin()
    {
        Started = Stopwatch.GetTimestamp();
        long received = Interlocked.Exchange(ref _received, 0);
        Received = received == 0 ? Started : received;
        Rendered = Written = Checked = 0;
    }

    public void MarkRendered() => Rendered = Stopwatch.GetTimestamp();

    public void MarkWritten() => Written = Stopwatch.GetTimestamp();

    public void MarkChecked() => Checked = Stopwatch.GetTimestamp();

    /// <summary>
    /// "wait 0.10, render 0.40, write 0.20, check 0.00, configure 3.10 ms (received at monotonic 123456789 ns)": each step since the
    /// previous one, up to <paramref name="configured"/>. A step not marked this apply reads 0.
    /// </summary>
    public string Describe(long configured)
    {
        long started = Started == 0 ? configured : Started;
        long received = Received == 0 ? started : Received;
        long rendered = Rendered == 0 ? started : Rendered;
        long written = Written == 0 ? rendered : Written;
        long checkedAt = Checked == 0 ? written : Checked;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"wait {Ms(received, started):F2}, render {Ms(started, rendered):F2}, write {Ms(rendered, written):F2}, check {Ms(written, checkedAt):F2}, configure {Ms(checkedAt, configured):F2} ms (received at monotonic {Nanoseconds(received)} ns)");
    }

    /// <summary>A <see cref="Stopwatch"/> timestamp in nanoseconds of the monotonic clock.</summary>
    public static long Nanoseconds(long timestamp) => (long)(timestamp * (1_000_000_000.0 / Stopwatch.Frequency));

    private static double Ms(long from, long to) => Math.Max(0, to - from) * 1000.0 / Stopwatch.Frequency;
}
