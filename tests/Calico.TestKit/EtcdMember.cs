using System.Diagnostics;
using System.Net;

namespace Calico.TestKit;

/// <summary>
/// One member of an <see cref="EtcdCluster"/>: its own process and data directory, which a test can freeze (SIGSTOP),
/// thaw (SIGCONT), kill (SIGKILL) and restart on the same data and ports.
/// </summary>
public sealed class EtcdMember
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly ChildProcess _children;
    private readonly IReadOnlyList<string> _arguments;
    private Process? _process;

    internal EtcdMember(ChildProcess children, string name, string clientUrl, string metricsUrl, IReadOnlyList<string> arguments)
    {
        _children = children;
        Name = name;
        ClientUrl = clientUrl;
        MetricsUrl = metricsUrl;
        _arguments = arguments;
    }

    public string Name { get; }

    /// <summary><c>http://127.0.0.1:port</c>.</summary>
    public string ClientUrl { get; }

    public string MetricsUrl { get; }

    public bool IsFrozen { get; private set; }

    public int ProcessId => _process?.Id ?? throw new InvalidOperationException($"etcd member {Name} is not running");

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>SIGSTOP: the process keeps its sockets (the kernel still accepts TCP connections) and answers nothing.</summary>
    public void Freeze()
    {
        Signal("STOP");
        IsFrozen = true;
    }

    /// <summary>SIGCONT after <see cref="Freeze"/>.</summary>
    public void Thaw()
    {
        Signal("CONT");
        IsFrozen = false;
    }

    /// <summary>SIGKILL (by PID), keeping the data directory for <see cref="RestartAsync"/>.</summary>
    public void Kill()
    {
        if (_process is not null)
        {
            ChildProcess.Kill(_process);
        }

        IsFrozen = false;
    }

    /// <summary>Starts the member again on its data directory and ports (after <see cref="Kill"/>).</summary>
    public Task RestartAsync(CancellationToken cancellationToken = default)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"etcd member {Name} is still running");
        }

        Start();
        return WaitHealthyAsync(cancellationToken);
    }

    /// <summary>Whether this member currently believes it is the raft leader (its <c>etcd_server_is_leader</c> metric).</summary>
    public async Task<bool> IsLeaderAsync(CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        string metrics = await http.GetStringAsync(new Uri(MetricsUrl + "/metrics"), cancellationToken);
        return metrics.Contains("\netcd_server_is_leader 1", StringComparison.Ordinal);
    }

    internal void Start() => _process = _children.Start(Prerequisites.Require("etcd"), _arguments);

    internal async Task WaitHealthyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        string? last = null;
        while (deadline.Elapsed < StartTimeout)
        {
            if (_process is null || _process.HasExited)
            {
                throw new InvalidOperationException(
                    $"etcd member {Name} exited during start-up:\n{(_process is null ? "" : _children.OutputOf(_process))}");
            }

            try
            {
                using HttpResponseMessage response = await http.GetAsync(new Uri(MetricsUrl + "/health"), cancellationToken);
                last = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK && last.Contains("\"health\":\"true\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                last = ex.Message;
            }

            await Task.Delay(50, cancellationToken);
        }

        throw new TimeoutException($"etcd member {Name} at {ClientUrl} not healthy after {StartTimeout}: {last}\n{(_process is null ? "" : _children.OutputOf(_process))}");
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("could not run kill");
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {ProcessId} failed with exit code {kill.ExitCode}");
        }
    }
}
