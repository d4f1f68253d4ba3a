using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Calico.Goldmane.Tests.Upstream;
using Calico.TestKit;
using Grpc.Core;
using Grpc.Net.Client;

namespace Calico.Goldmane.Tests.Process;

/// <summary>
/// The real goldmane binary (its apphost from this test's output, else <c>dotnet exec goldmane.dll</c>) on loopback
/// on two free ports, with clients generated from upstream's proto. Restartable on the same ports.
/// </summary>
public sealed class GoldmaneProcess : IDisposable
{
    private readonly ChildProcess _children = new();
    private readonly string[] _extraArgs;
    private System.Diagnostics.Process? _process;

    public GoldmaneProcess(params string[] extraArgs)
    {
        _extraArgs = extraArgs;
        GrpcPort = LoopbackPort.Free();
        HttpPort = LoopbackPort.Free();
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{GrpcPort}");
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}"), Timeout = TimeSpan.FromSeconds(10) };
        Start();
    }

    public int GrpcPort { get; }

    public int HttpPort { get; }

    public GrpcChannel Channel { get; }

    public HttpClient Http { get; }

    public Flows.FlowsClient Flows => new(Channel);

    public FlowCollector.FlowCollectorClient Collector => new(Channel);

    public Statistics.StatisticsClient Statistics => new(Channel);

    public string Output => _process is null ? "" : _children.OutputOf(_process);

    /// <summary>Runs the binary to completion with <paramref name="args"/>: exit code and output.</summary>
    public static (int ExitCode, string Output) RunOnce(params string[] args)
    {
        using var children = new ChildProcess();
        var process = StartBinary(children, args);
        Assert.True(process.WaitForExit(30_000), "goldmane did not exit");
        process.WaitForExit();
        return (process.ExitCode, children.OutputOf(process));
    }

    public void Start()
    {
        _process = StartBinary(_children, ["--listen-address", "127.0.0.1", "--port", GrpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--http-port", HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), .. _extraArgs]);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = Http.GetAsync(new Uri("/readiness", UriKind.Relative)).GetAwaiter().GetResult();
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            Assert.False(_process.HasExited, "goldmane exited: " + Output);
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "goldmane not ready in 30 s: " + Output);
            Thread.Sleep(100);
        }
    }

    /// <summary>SIGTERM to our own process (by its PID); true when it exited within <paramref name="timeout"/>, with its exit code.</summary>
    public (bool Exited, int ExitCode) Terminate(TimeSpan timeout)
    {
        Assert.NotNull(_process);
        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        bool exited = _process.WaitForExit(timeout);
        return (exited, exited ? _process.ExitCode : -1);
    }

    public void Kill()
    {
        if (_process is not null)
        {
            ChildProcess.Kill(_process);
        }
    }

    /// <summary>Sends the flows on one Connect stream, one receipt each, then closes it.</summary>
    public async Task ConnectAndSendAsync(params Flow[] flows)
    {
        using var call = Collector.Connect();
        foreach (var flow in flows)
        {
            await call.RequestStream.WriteAsync(new FlowUpdate { Flow = flow });
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None), "no FlowReceipt");
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
    }

    public void Dispose()
    {
        _children.Dispose();
        Channel.Dispose();
        Http.Dispose();
    }

    private static System.Diagnostics.Process StartBinary(ChildProcess children, IEnumerable<string> args)
    {
        string apphost = Path.Combine(AppContext.BaseDirectory, "goldmane");
        return File.Exists(apphost)
            ? children.Start(apphost, args)
            : children.StartDotnet(Path.Combine(AppContext.BaseDirectory, "goldmane.dll"), args);
    }

}
