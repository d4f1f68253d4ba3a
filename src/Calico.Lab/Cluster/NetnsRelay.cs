using System.Net;
using System.Net.Sockets;
using Calico.Linux;

namespace Calico.Lab.Cluster;

/// <summary>
/// Lets the machine's namespace reach a service that listens only on the fabric (the lab's etcd, the flow
/// aggregator): a loopback listener whose every connection is relayed through a socket created inside the fabric
/// namespace. Lives as long as its owner (a command for etcd, the detached <c>calico-lab relay</c> process for the
/// aggregator); nothing in the machine's namespace is configured.
/// </summary>
public sealed class NetnsRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly string _fabricNetnsPath;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    private NetnsRelay(TcpListener listener, string fabricNetnsPath, IPEndPoint target)
    {
        _listener = listener;
        _fabricNetnsPath = fabricNetnsPath;
        _target = target;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;</c>.</summary>
    public string Endpoint => "http://" + _listener.LocalEndpoint;

    /// <summary>The loopback address and port it listens on.</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndpoint;

    public static NetnsRelay Start(string fabricNetnsPath, IPEndPoint target)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new NetnsRelay(listener, fabricNetnsPath, target);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        using (client)
        {
            using var upstream = await NetworkNamespace.RunInAsync(_fabricNetnsPath, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)).ConfigureAwait(false);
            try
            {
                await upstream.ConnectAsync(_target, _stop.Token).ConfigureAwait(false);
                await using var a = new NetworkStream(client, ownsSocket: false);
                await using var b = new NetworkStream(upstream, ownsSocket: false);
                var first = await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token)).ConfigureAwait(false);
                await first.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or IOException)
            {
                // The peer closed or the relay stops: the other side's socket is closed below, which ends its copy.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _acceptLoop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
