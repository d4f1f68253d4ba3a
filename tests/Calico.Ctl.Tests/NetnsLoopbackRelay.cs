using System.Net;
using System.Net.Sockets;
using Calico.Linux;

namespace Calico.Ctl.Tests;

/// <summary>
/// A TCP relay from a loopback port inside a network namespace to a loopback endpoint of this machine's own namespace
/// (e.g. an etcd member the test started), so a process in the namespace (calico-node) reaches it. The listening socket
/// is created inside the namespace; outgoing connections are made from thread-pool threads, i.e. from this process's
/// namespace. Disposing stops the listener and every relayed connection.
/// </summary>
public sealed class NetnsLoopbackRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private NetnsLoopbackRelay(TcpListener listener, IPEndPoint target)
    {
        _listener = listener;
        _target = target;
        _accepting = Task.Run(AcceptLoopAsync);
    }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;</c> as seen from inside the namespace.</summary>
    public string Endpoint => "http://" + _listener.LocalEndpoint;

    public static async Task<NetnsLoopbackRelay> StartAsync(string netns, IPEndPoint target)
    {
        TcpListener listener = await NetworkNamespace.RunInAsync("/var/run/netns/" + netns, () =>
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            return l;
        });
        return new NetnsLoopbackRelay(listener, target);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket inside;
            try
            {
                inside = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => RelayAsync(inside));
        }
    }

    private async Task RelayAsync(Socket inside)
    {
        using (inside)
        using (var outside = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            try
            {
                await outside.ConnectAsync(_target, _stop.Token);
                using var one = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                await Task.WhenAny(PumpAsync(inside, outside, one.Token), PumpAsync(outside, inside, one.Token));
                await one.CancelAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
            }
        }
    }

    private static async Task PumpAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int n;
            while ((n = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, cancellationToken);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
