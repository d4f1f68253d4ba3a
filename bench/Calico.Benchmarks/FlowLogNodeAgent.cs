using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Calico.Linux;

namespace Calico.Benchmarks;

/// <summary>
/// calico-node (the Native AOT binary, <c>out/bin/calico-node</c> or <c>CALICO_NODE_BIN</c>) for the flow-logs-node
/// bench: run in the host namespace through <c>nsenter --net</c> (which execs it, so the PID is calico-node's, whose
/// /proc stat gives its CPU), on the bench's embedded datastore, BGP off (<c>CALICO_NETWORKING_BACKEND=none</c>: the
/// bench has one node). Killed by PID on dispose; a bounded tail of its output is kept for diagnostics.
/// </summary>
internal sealed class FlowLogNodeAgent : IAsyncDisposable
{
    private readonly Process _process;
    private readonly HttpClient _http;
    private readonly ConcurrentQueue<string> _lines = new();

    private FlowLogNodeAgent(Process process, HttpClient http)
    {
        _process = process;
        _http = http;
        process.ErrorDataReceived += (_, e) => Capture(e.Data);
        process.OutputDataReceived += (_, e) => Capture(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
    }

    public int Pid => _process.Id;

    public static string BinaryPath => Environment.GetEnvironmentVariable("CALICO_NODE_BIN") is { Length: > 0 } bin ? bin : Path.GetFullPath("out/bin/calico-node");

    public static FlowLogNodeAgent Start(string netnsPath, string datastorePath, string stateDir, IReadOnlyDictionary<string, string> extraEnvironment)
    {
        var info = new ProcessStartInfo("nsenter") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in (string[])[$"--net={netnsPath}", BinaryPath, "--state-dir", stateDir, "--felix-config", Path.Combine(stateDir, "felix.cfg")])
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["NODENAME"] = FlowLogNodeBenchmarks.NodeName;
        info.Environment["IP"] = FlowLogNodeBenchmarks.HostIp + "/24";
        info.Environment["DATASTORE_TYPE"] = "embedded";
        info.Environment["CALICO_DATASTORE_PATH"] = datastorePath;
        info.Environment["CALICO_NETWORKING_BACKEND"] = "none";
        info.Environment["FELIX_HEALTHHOST"] = "127.0.0.1";
        info.Environment["FELIX_LOGSEVERITYSCREEN"] = "Info";
        info.Environment["NO_DEFAULT_POOLS"] = "true";
        foreach ((string key, string value) in extraEnvironment)
        {
            info.Environment[key] = value;
        }

        HttpClient http = CreateHttpClient(netnsPath);
        Process process = Process.Start(info) ?? throw new InvalidOperationException("could not start calico-node");
        return new FlowLogNodeAgent(process, http);
    }

    /// <summary>Polls /readiness (inside the namespace) until 200.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        long deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"calico-node exited ({_process.ExitCode}):\n{Tail(40)}");
            }

            try
            {
                using HttpResponseMessage response = await _http.GetAsync(new Uri("http://127.0.0.1:9099/readiness"), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            // Polling a child's readiness, not timing anything measured.
            await Task.Delay(50, cancellationToken);
        }

        throw new InvalidOperationException($"calico-node not ready after {timeout.TotalSeconds} s:\n{Tail(40)}");
    }

    /// <summary>utime + stime of calico-node in clock ticks (USER_HZ = 100), all its threads.</summary>
    public long CpuTicks()
    {
        string stat = File.ReadAllText($"/proc/{Pid}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

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

    private static HttpClient CreateHttpClient(string netnsPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                Socket socket = await NetworkNamespace.RunInAsync(netnsPath, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }, cancellationToken);
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
    }

    private void Capture(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        while (_lines.Count > 400 && _lines.TryDequeue(out _))
        {
        }
    }
}
