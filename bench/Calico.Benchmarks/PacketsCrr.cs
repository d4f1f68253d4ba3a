using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Calico.Linux;

namespace Calico.Benchmarks;

/// <summary>
/// TCP connect/request/response like netperf TCP_CRR and the anchors' C tool (performance-anchors 2.a): the client
/// loops connect -> send 1 byte -> read 1 byte -> close with linger 0 (RST, so no TIME_WAIT exhausts ports), the
/// server accepts, reads 1, writes 1, closes. Sockets are created inside the pod namespaces, so each connection is a
/// new flow through the host namespace's forward path: the SYN is what meets policy.
/// </summary>
internal sealed class PacketsCrr : IDisposable
{
    /// <summary>Clients of the loaded connection rate (<see cref="RunClientsAsync"/>): more than the 2 vCPUs, so both stay busy.</summary>
    public const int LoadedClients = 4;

    private readonly Socket _listener;
    private readonly Thread[] _servers;

    private PacketsCrr(Socket listener)
    {
        _listener = listener;

        // Two accepting threads: one would bound the loaded rate; with one client, one of them takes each connection.
        _servers = [.. Enumerable.Range(0, 2).Select(i => new Thread(Serve) { IsBackground = true, Name = $"crr-server-{i}" })];
        foreach (Thread server in _servers)
        {
            server.Start();
        }
    }

    /// <summary>Listens on <paramref name="ip"/>:<paramref name="port"/> inside the namespace at <paramref name="netnsPath"/>.</summary>
    public static async Task<PacketsCrr> StartServerAsync(string netnsPath, string ip, int port, CancellationToken cancellationToken)
    {
        // The listening socket belongs to the namespace it was created in; accepting on any thread stays there.
        Socket listener = await NetworkNamespace.RunInAsync(netnsPath, () =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(IPAddress.Parse(ip), port));
            socket.Listen(1024);
            return socket;
        }, cancellationToken);
        return new PacketsCrr(listener);
    }

    /// <summary>
    /// Whether one connection completes within <paramref name="timeout"/>: a ruleset that drops the flow would
    /// otherwise leave the blocking client waiting out SYN retransmits.
    /// </summary>
    public static Task<bool> ProbeAsync(string netnsPath, string ip, int port, TimeSpan timeout, CancellationToken cancellationToken) =>
        NetworkNamespace.RunInAsync(netnsPath, () =>
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
            try
            {
                socket.Connect(new IPEndPoint(IPAddress.Parse(ip), port));
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
            {
                // Completes in the background; Poll below waits for it.
            }

            if (!socket.Poll((int)timeout.TotalMicroseconds, SelectMode.SelectWrite) || (int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)! != 0)
            {
                return false;
            }

            socket.Blocking = true;
            socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
            socket.LingerState = new LingerOption(true, 0);
            socket.Send("x"u8);
            var buffer = new byte[1];
            return socket.Receive(buffer) == 1;
        }, cancellationToken);

    /// <summary>Runs the client loop for <paramref name="duration"/> on a thread inside the client namespace.</summary>
    public static Task<PacketsCrrResult> RunClientAsync(string netnsPath, string ip, int port, TimeSpan duration, CancellationToken cancellationToken) =>
        NetworkNamespace.RunInAsync(netnsPath, () =>
        {
            var target = new IPEndPoint(IPAddress.Parse(ip), port);
            var latencies = new List<double>(100_000);
            var request = new byte[] { (byte)'x' };
            var response = new byte[1];
            long started = Stopwatch.GetTimestamp();
            long end = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            long now = started;
            while (now < end && !cancellationToken.IsCancellationRequested)
            {
                using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
                {
                    socket.NoDelay = true;
                    socket.LingerState = new LingerOption(true, 0);
                    socket.Connect(target);
                    socket.Send(request);
                    if (socket.Receive(response) != 1)
                    {
                        throw new InvalidOperationException("CRR server closed without answering");
                    }
                }

                long after = Stopwatch.GetTimestamp();
                latencies.Add((after - now) * 1_000_000.0 / Stopwatch.Frequency);
                now = after;
            }

            double seconds = (now - started) / (double)Stopwatch.Frequency;
            return new PacketsCrrResult(latencies.Count / seconds, Stats.Percentile(latencies, 50), Stats.Percentile(latencies, 99), latencies.Count);
        }, cancellationToken);

    /// <summary>
    /// The loaded connection rate: <paramref name="clients"/> client loops at once (each as <see cref="RunClientAsync"/>),
    /// so the host's CPUs stay busy and the rate measures CPU per connection rather than the wake-up latency of a
    /// single ping-pong (on this VM an idle vCPU halts, and waking it costs more than the path itself). Connections
    /// completed by all ÷ the duration.
    /// </summary>
    public static async Task<double> RunClientsAsync(string netnsPath, string ip, int port, TimeSpan duration, int clients, CancellationToken cancellationToken)
    {
        PacketsCrrResult[] results = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => RunClientAsync(netnsPath, ip, port, duration, cancellationToken)));
        return results.Sum(r => r.ConnectionsPerSecond);
    }

    public void Dispose()
    {
        // Closing the listener fails the blocked Accept, which ends the server thread.
        _listener.Dispose();
        foreach (Thread server in _servers)
        {
            server.Join();
        }
    }

    private void Serve()
    {
        var buffer = new byte[1];
        while (true)
        {
            Socket connection;
            try
            {
                connection = _listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            using (connection)
            {
                try
                {
                    connection.NoDelay = true;
                    if (connection.Receive(buffer) == 1)
                    {
                        connection.Send(buffer);
                    }
                }
                catch (SocketException)
                {
                    // The client reset early (a probe or a cancelled run): nothing to answer.
                }
            }
        }
    }
}
