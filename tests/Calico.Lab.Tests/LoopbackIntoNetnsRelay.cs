using System.Net;
using System.Net.Sockets;
using Calico.Linux;

namespace Calico.Lab.Tests;

/// <summary>
/// Lets a process inside a test namespace (the CNI plugin, exec'd in the host namespace it wires pods into) reach a
/// service on this machine's loopback (an etcd member of <see cref="Calico.TestKit.EtcdCluster"/>) at the same
/// address and port: a listener on the namespace's <c>127.0.0.1:port</c> whose connections are relayed to the
/// machine's. It listens only while the target accepts connections, so a killed member is refused inside the
/// namespace as outside (within ~100 ms). Nothing in the machine's namespace is configured.
/// </summary>
internal sealed class LoopbackIntoNetnsRelay : IAsyncDisposable
{
    private readonly string _netnsPath;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private LoopbackIntoNetnsRelay(string netnsPath, IPEndPoint target)
    {
        _netnsPath = netnsPath;
        _target = target;
        _loop = Task.Run(SuperviseAsync);
    }

    public static LoopbackIntoNetnsRelay Start(string netnsPath, Uri loopbackUrl) =>
        new(netnsPath, new IPEndPoint(IPAddress.Loopback, loopbackUrl.Port));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task SuperviseAsync()
    {
        Socket? listener = null;
        Task? accepting = null;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                bool alive = await TargetAcceptsAsync();
                if (alive && listener is null)
                {
                    listener = await NetworkNamespace.RunInAsync(_netnsPath, () =>
                    {
                        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                        socket.Bind(new IPEndPoint(IPAddress.Loopback, _target.Port));
                        socket.Listen(64);
                        return socket;
                    });
                    accepting = AcceptAsync(listener);
                }
                else if (!alive && listener is not null)
                {
                    listener.Dispose();
                    listener = null;
                    await (accepting ?? Task.CompletedTask);
                }

                await Task.Delay(100, _stop.Token);
            }
        }
        finally
        {
            listener?.Dispose();
            if (accepting is not null)
            {
                await accepting;
            }
        }
    }

    private async Task<bool> TargetAcceptsAsync()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TimeSpan.FromMilliseconds(500));
        try
        {
            await probe.ConnectAsync(_target, timeout.Token);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            // Accepts TCP but slowly (a loaded machine): still there.
            return true;
        }
    }

    private async Task AcceptAsync(Socket listener)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stop.Token);
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
            using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await upstream.ConnectAsync(_target, _stop.Token);
                await using var a = new NetworkStream(client, ownsSocket: false);
                await using var b = new NetworkStream(upstream, ownsSocket: false);
                Task first = await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
                await first;
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or IOException)
            {
                // The member died or the relay stops: closing both sides ends the other copy.
            }
        }
    }
}
