using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Calico.Benchmarks;

/// <summary>
/// The real calico-node (Native AOT, out/bin) running inside a <see cref="ControlHost"/> through
/// <c>nsenter --net</c> (which execs it: the PID is calico-node's), on an embedded datastore file, with health and
/// metrics on the namespace's loopback and Debug logs (one line per apply: render, nft and route times). Killed by PID.
/// </summary>
internal sealed partial class ControlAgent : IAsyncDisposable
{
    private readonly Process _process;
    private readonly HttpClient _http;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<string> _recent = new();

    private ControlAgent(Process process, HttpClient http, long startedAt)
    {
        _process = process;
        _http = http;
        StartedAt = startedAt;
        process.ErrorDataReceived += (_, e) => Capture(e.Data);
        process.OutputDataReceived += (_, e) => Capture(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
    }

    public int Pid => _process.Id;

    /// <summary>Stopwatch timestamp just before the process was started.</summary>
    public long StartedAt { get; }

    /// <summary>calico-node from <c>CALICO_LAB_BIN_DIR</c> when set (a helper's own build), else <c>out/bin</c>.</summary>
    public static string BinaryPath => System.IO.Path.GetFullPath(System.IO.Path.Combine(
        Environment.GetEnvironmentVariable("CALICO_LAB_BIN_DIR") is { Length: > 0 } dir ? dir : "out/bin", "calico-node"));

    public static ControlAgent Start(ControlHost host, string datastorePath, string stateDir)
    {
        var info = new ProcessStartInfo("nsenter") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])[$"--net={host.Path}", BinaryPath, "--state-dir", stateDir, "--felix-config", System.IO.Path.Combine(stateDir, "felix.cfg")])
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["NODENAME"] = ControlWorld.HostNode;
        info.Environment["IP"] = "198.18.255.1";
        info.Environment["DATASTORE_TYPE"] = "embedded";
        info.Environment["CALICO_DATASTORE_PATH"] = datastorePath;
        info.Environment["FELIX_HEALTHHOST"] = "127.0.0.1";
        info.Environment["FELIX_PROMETHEUSMETRICSENABLED"] = "true";
        info.Environment["FELIX_PROMETHEUSMETRICSHOST"] = "127.0.0.1";
        info.Environment["FELIX_LOGSEVERITYSCREEN"] = "Debug";
        info.Environment["NO_DEFAULT_POOLS"] = "true";
        var http = host.CreateHttpClient();
        var startedAt = Stopwatch.GetTimestamp();
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start calico-node");
        return new ControlAgent(process, http, startedAt);
    }

    /// <summary>Polls /readiness every 10 ms until 200; returns the Stopwatch timestamp of the first ready answer.</summary>
    public async Task<long> WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"calico-node exited ({_process.ExitCode}):\n{Tail(40)}");
            }

            try
            {
                using var response = await _http.GetAsync(new Uri("http://127.0.0.1:9099/readiness"));
                if (response.IsSuccessStatusCode)
                {
                    return Stopwatch.GetTimestamp();
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(10);
        }

        throw new InvalidOperationException($"calico-node not ready after {timeout.TotalSeconds} s:\n{Tail(40)}");
    }

    /// <summary>One /metrics scrape (note: our agent reads the table's counters at scrape time).</summary>
    public async Task<string> ScrapeMetricsAsync() => await _http.GetStringAsync(new Uri("http://127.0.0.1:9091/metrics"));

    /// <summary>utime + stime of the process in clock ticks (USER_HZ = 100 on Linux).</summary>
    public long CpuTicks()
    {
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // Fields after the command: state is index 0, so utime (14th field overall) is index 11, stime index 12.
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    public double RssMiB()
    {
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return double.NaN;
    }

    /// <summary>The per-apply breakdowns logged so far: render, nft and route milliseconds, script bytes.</summary>
    public IReadOnlyList<(double Render, double Nft, double Routes, int Bytes)> Applies()
    {
        var result = new List<(double, double, double, int)>();
        foreach (var line in _lines)
        {
            var m = AppliedLine().Match(line);
            if (m.Success)
            {
                result.Add((Num(m.Groups[1].Value), Num(m.Groups[2].Value), Num(m.Groups[3].Value), int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture)));
            }
        }

        return result;
    }

    public int AppliesSoFar() => Applies().Count;

    /// <summary>"First dataplane apply done in X ms" from the log, or NaN.</summary>
    public double FirstApplyMs()
    {
        foreach (var line in _lines)
        {
            var m = FirstApplyLine().Match(line);
            if (m.Success)
            {
                return Num(m.Groups[1].Value);
            }
        }

        return double.NaN;
    }

    /// <summary>The agent's log lines stamped (by the agent, UTC, ms) within [<paramref name="from"/>, <paramref name="to"/>].</summary>
    public IEnumerable<string> LinesBetween(DateTime from, DateTime to) => _recent.Where(line =>
        line.Length > 23
        && DateTime.TryParseExact(line.AsSpan(0, 23), "yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
        && at >= from && at <= to);

    public string Tail(int count) => string.Join('\n', _lines.TakeLast(count));

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        _http.Dispose();
    }

    private void Capture(string? line)
    {
        // Keep the per-apply lines for the breakdown, and a bounded tail of everything else for diagnostics.
        if (line is null)
        {
            return;
        }

        _recent.Enqueue(line);
        while (_recent.Count > 5000)
        {
            _recent.TryDequeue(out _);
        }

        if (AppliedLine().IsMatch(line) || FirstApplyLine().IsMatch(line) || _lines.Count < 20_000)
        {
            _lines.Enqueue(line);
        }
    }

    private static double Num(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"Dataplane applied: render ([0-9.]+) ms, nft ([0-9.]+) ms, routes ([0-9.]+) ms, script (-?[0-9]+) bytes")]
    private static partial Regex AppliedLine();

    [GeneratedRegex(@"First dataplane apply done in ([0-9.]+) ms")]
    private static partial Regex FirstApplyLine();
}
