using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Calico.Benchmarks;

/// <summary>
/// DATAPLANE_CONTROL_TRACE=1: for every "to allow" change, when the agent logged its apply (its own clock, UTC ms)
/// against when the write began, the sender's longest pause, and <c>ip -ts monitor neigh</c> of the bench host and
/// both probe pods around the slow ones. Tells whether a slow change waited before the agent applied it (watch,
/// agent) or after (kernel, neighbours, probe).
/// </summary>
internal sealed class ControlTrace : IDisposable
{
    private readonly List<Process> _monitors = [];
    private readonly ConcurrentQueue<(DateTime At, string Line)> _events = new();
    private readonly List<(int Index, DateTime Began, double WriteMs, double ThroughMs, double SendPauseMs)> _allows = [];

    public static bool Enabled { get; } = Environment.GetEnvironmentVariable("DATAPLANE_CONTROL_TRACE") == "1";

    public void Monitor(string netns)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in (string[])["-n", netns, "monitor", "neigh", "link", "route"])
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                _events.Enqueue((DateTime.UtcNow, netns + ": " + line));
            }
        };
        process.BeginOutputReadLine();
        _monitors.Add(process);
    }

    public void Allow(int index, DateTime began, double writeMs, double throughMs, double sendPauseMs) =>
        _allows.Add((index, began, writeMs, throughMs, sendPauseMs));

    public async Task PrintAsync(string what, ControlAgent agent)
    {
        await Task.Delay(500); // the agent's last lines through its pipe
        var applies = agent.LinesBetween(DateTime.MinValue, DateTime.MaxValue)
            .Where(l => l.Contains("Dataplane applied", StringComparison.Ordinal))
            .Select(l => DateTime.ParseExact(l[..23], "yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal))
            .Order()
            .ToList();
        var delays = new List<double>();
        Console.WriteLine($"  trace ({what}): to allow, write began -> agent logged its apply / first datagram through (send time)");
        foreach (var (index, began, writeMs, throughMs, pauseMs) in _allows)
        {
            var applied = applies.FirstOrDefault(a => a >= began.AddMilliseconds(-1));
            var applyMs = applied == default ? double.NaN : (applied - began).TotalMilliseconds;
            delays.Add(applyMs);
            var slow = throughMs > 50;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    #{index,3} {began:HH:mm:ss.fff} write {writeMs,6:F1} ms, applied +{applyMs,6:F0} ms, through +{writeMs + throughMs,6:F1} ms, sender pause max {pauseMs,5:F1} ms{(slow ? "  <-- slow" : "")}"));
            if (slow)
            {
                foreach (var (at, line) in _events.Where(e => e.At >= began.AddMilliseconds(-300) && e.At <= began.AddMilliseconds(writeMs + throughMs + 50)))
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"        {at:HH:mm:ss.fff} {line}"));
                }
            }
        }

        _allows.Clear();
    }

    public void Dispose()
    {
        foreach (var p in _monitors)
        {
            try
            {
                p.Kill();
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            p.Dispose();
        }
    }
}
