using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Calico.TestKit;
using Grpc.Net.Client;

namespace Calico.Goldmane.Web.Tests;

/// <summary>The real goldmane binary from this test's output on two free loopback ports; killed (by PID) on dispose.</summary>
internal sealed class GoldmaneBinary : IDisposable
{
    private readonly ChildProcess _children;

    private GoldmaneBinary(ChildProcess children, int grpcPort, int httpPort)
    {
        _children = children;
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        Page = new Uri($"http://127.0.0.1:{httpPort}/");
    }

    public GrpcChannel Channel { get; }

    /// <summary>The gRPC address, host:port.</summary>
    public string GrpcAddress => Channel.Target;

    public Uri Page { get; }

    public static async Task<GoldmaneBinary> StartAsync(params string[] extraArgs)
    {
        int grpc = LoopbackPort.Free();
        int http = LoopbackPort.Free();
        var children = new ChildProcess();
        string[] args = ["--listen-address", "127.0.0.1", "--port", grpc.ToString(CultureInfo.InvariantCulture), "--http-port", http.ToString(CultureInfo.InvariantCulture), .. extraArgs];
        string apphost = Path.Combine(AppContext.BaseDirectory, "goldmane");
        var process = File.Exists(apphost) ? children.Start(apphost, args) : children.StartDotnet(Path.Combine(AppContext.BaseDirectory, "goldmane.dll"), args);
        var binary = new GoldmaneBinary(children, grpc, http);
        try
        {
            using var httpClient = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (true)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException("goldmane exited: " + children.OutputOf(process));
                }

                try
                {
                    using var ready = await httpClient.GetAsync(new Uri(binary.Page, "/readiness"), deadline.Token);
                    if (ready.IsSuccessStatusCode)
                    {
                        return binary;
                    }
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }

                await Task.Delay(100, deadline.Token);
            }
        }
        catch
        {
            binary.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Channel.Dispose();
        _children.Dispose();
    }

}
