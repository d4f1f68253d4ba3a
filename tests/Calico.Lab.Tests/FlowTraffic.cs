using System.Net;
using System.Net.Sockets;
using Calico.Linux;

namespace Calico.Lab.Tests;

/// <summary>
/// Known-size traffic between lab namespaces, in-process: sinks (TCP listeners that read every byte to the end) and
/// senders, each socket created inside its namespace. A sender knows exactly how many payload bytes it sent, which
/// is what flow logs' byte counters are compared with.
/// </summary>
public sealed class FlowTraffic : IAsyncDisposable
{
    /// <summary>How long a denied connection attempt waits for an answer (policy drops silently).</summary>
    public static readonly TimeSpan DeniedTimeout = TimeSpan.FromMilliseconds(800);

    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _loops = [];
    private readonly CancellationTokenSource _stop = new();

    /// <summary>A TCP sink on <paramref name="address"/>:<paramref name="port"/> inside the namespace: accepts, reads to EOF, closes.</summary>
    public async Task SinkAsync(string netnsPath, IPAddress address, int port)
    {
        var listener = await NetworkNamespace.RunInAsync(netnsPath, () =>
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(64);
            return socket;
        });
        _listeners.Add(listener);
        _loops.Add(AcceptLoopAsync(listener));
    }

    /// <summary>
    /// Connects from inside <paramref name="netnsPath"/> (from <paramref name="source"/> when given), sends
    /// <paramref name="bytes"/> bytes, half-closes and waits for the sink to close. False when the connection is not
    /// established within <see cref="DeniedTimeout"/> (twice: a first SYN may be lost to ARP on a fresh path).
    /// </summary>
    public static async Task<bool> SendAsync(string netnsPath, IPEndPoint target, int bytes, IPAddress? source = null)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var socket = await NetworkNamespace.RunInAsync(netnsPath, () =>
            {
                var s = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                if (source is not null)
                {
                    s.Bind(new IPEndPoint(source, 0));
                }

                return s;
            });
            using (var timeout = new CancellationTokenSource(DeniedTimeout))
            {
                try
                {
                    await socket.ConnectAsync(target, timeout.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException)
                {
                    continue;
                }
            }

            using var transfer = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var chunk = new byte[64 * 1024];
            Random.Shared.NextBytes(chunk);
            for (var sent = 0; sent < bytes;)
            {
                var n = Math.Min(chunk.Length, bytes - sent);
                sent += await socket.SendAsync(chunk.AsMemory(0, n), SocketFlags.None, transfer.Token);
            }

            socket.Shutdown(SocketShutdown.Send);
            var buffer = new byte[256];
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, transfer.Token) > 0)
            {
            }

            return true;
        }

        return false;
    }

    /// <summary>
    /// <paramref name="count"/> UDP datagrams of <paramref name="size"/> bytes from one connected socket inside the
    /// namespace, sent as fast as the kernel takes them (blocking sends on a dedicated thread: a flood, not a trickle
    /// of awaits). Returns how long the sending took.
    /// </summary>
    public static async Task<TimeSpan> FloodUdpAsync(string netnsPath, IPEndPoint target, int count, int size)
    {
        using var socket = await NetworkNamespace.RunInAsync(netnsPath, () => new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp));
        socket.Connect(target);
        var payload = new byte[size];
        return await Task.Factory.StartNew(
            () =>
            {
                var watch = System.Diagnostics.Stopwatch.StartNew();
                for (var i = 0; i < count; i++)
                {
                    try
                    {
                        socket.Send(payload);
                    }
                    catch (SocketException e) when (e.SocketErrorCode is SocketError.NoBufferSpaceAvailable or SocketError.ConnectionRefused)
                    {
                        // A full queue or an ICMP error from an earlier datagram: keep flooding.
                    }
                }

                return watch.Elapsed;
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stop.IsCancellationRequested)
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

            _ = DrainAsync(client);
        }
    }

    private async Task DrainAsync(Socket client)
    {
        using (client)
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (await client.ReceiveAsync(buffer, SocketFlags.None, _stop.Token) > 0)
                {
                }

                client.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The test ends or the peer reset.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        await Task.WhenAll(_loops);
        _stop.Dispose();
    }
}
