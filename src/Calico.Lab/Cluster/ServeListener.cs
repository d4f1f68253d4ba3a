using System.Net;
using System.Net.Sockets;
using System.Text;
using Calico.Linux;
using Calico.Reachability;

namespace Calico.Lab.Cluster;

/// <summary>
/// A pod's listeners: on each TCP port it accepts, writes one line <c>&lt;ns&gt;/&lt;name&gt;</c> and closes; on each
/// UDP port it answers every datagram with <c>&lt;ns&gt;/&lt;name&gt;</c>. Sockets are bound to every address of the
/// namespace they are created in (the caller's, or <c>netnsPath</c>'s).
/// </summary>
public sealed class ServeListener : IAsyncDisposable
{
    private readonly List<Socket> _sockets;
    private readonly byte[] _identity;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];

    private ServeListener(List<Socket> sockets, IReadOnlyList<Probe> probes, string identity)
    {
        _sockets = sockets;
        _identity = Encoding.UTF8.GetBytes(identity);
        for (var i = 0; i < sockets.Count; i++)
        {
            _loops.Add(probes[i].Protocol == Packet.Tcp ? TcpLoopAsync(sockets[i]) : UdpLoopAsync(sockets[i]));
        }
    }

    /// <summary>Binds every port now (so the pod answers as soon as this returns), then serves until disposed.</summary>
    public static async Task<ServeListener> StartAsync(string identity, IReadOnlyList<Probe> probes, string? netnsPath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probes);
        var sockets = netnsPath is null
            ? Bind(probes)
            : await NetworkNamespace.RunInAsync(netnsPath, () => Bind(probes), cancellationToken).ConfigureAwait(false);
        return new ServeListener(sockets, probes, identity);
    }

    private static List<Socket> Bind(IReadOnlyList<Probe> probes)
    {
        var sockets = new List<Socket>();
        try
        {
            foreach (var probe in probes)
            {
                var tcp = probe.Protocol == Packet.Tcp;
                // Dual-stack: one socket answers the pod's IPv4 and IPv6 addresses.
                var socket = new Socket(AddressFamily.InterNetworkV6, tcp ? SocketType.Stream : SocketType.Dgram, tcp ? ProtocolType.Tcp : ProtocolType.Udp) { DualMode = true };
                sockets.Add(socket);
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                socket.Bind(new IPEndPoint(IPAddress.IPv6Any, probe.Port));
                if (tcp)
                {
                    socket.Listen(128);
                }
            }

            return sockets;
        }
        catch (SocketException e)
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }

            throw new LabException("cannot listen: " + e.Message, e);
        }
    }

    /// <summary>Serves until cancelled (the serve subcommand: until SIGTERM or SIGINT) or every loop ended.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (cancellationToken.Register(() => stopped.TrySetResult()).ConfigureAwait(false))
        {
            await Task.WhenAny(Task.WhenAll(_loops), stopped.Task).ConfigureAwait(false);
        }
    }

    private async Task TcpLoopAsync(Socket listener)
    {
        var line = new byte[_identity.Length + 1];
        _identity.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var connection = await listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
                await connection.SendAsync(line, SocketFlags.None, _stop.Token).ConfigureAwait(false);
                connection.Shutdown(SocketShutdown.Both);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                // One client's reset does not stop the listener.
            }
        }
    }

    private async Task UdpLoopAsync(Socket socket)
    {
        var buffer = new byte[2048];
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.IPv6Any, 0), _stop.Token).ConfigureAwait(false);
                await socket.SendToAsync(_identity, SocketFlags.None, received.RemoteEndPoint, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                // An ICMP error for an earlier answer surfaces here; keep serving.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // A loop saw its socket closed before the cancellation.
        }

        _stop.Dispose();
    }
}
