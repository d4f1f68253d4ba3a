using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Calico.Linux;

namespace Calico.Benchmarks;

/// <summary>
/// Observes enforcement by packets: a client pod sends a UDP datagram to a server pod every ~0.2 ms, each from a new
/// source port (a raw socket writes the UDP header, so no socket per port and conntrack never has a flow to short-cut
/// policy with); the server records the send timestamp carried in each datagram it receives. Both pods are real
/// network namespaces wired into the bench host by <see cref="WorkloadInterfaces.SetUpAsync"/>.
/// </summary>
internal sealed class ControlProbe : IDisposable
{
    public const int Port = 9999;
    private const int FirstSourcePort = 10_000;
    private const int SourcePorts = 50_000;

    private readonly Socket _sender;
    private readonly Socket _receiver;
    private readonly IPEndPoint _server;
    private readonly Thread _sendThread;
    private readonly Thread _receiveThread;
    private volatile bool _stopping;
    private long _lastSendTs;
    private long _lastReceiveTs;
    private long _armedFrom = long.MaxValue;
    private long _firstAfterArmed;
    private long _received;
    private long _maxSendGap;

    private ControlProbe(Socket sender, Socket receiver, IPEndPoint server)
    {
        _sender = sender;
        _receiver = receiver;
        _server = server;
        _sendThread = new Thread(SendLoop) { IsBackground = true, Name = "probe-send" };
        _receiveThread = new Thread(ReceiveLoop) { IsBackground = true, Name = "probe-receive" };
    }

    /// <summary>Creates a pod namespace and wires it into <paramref name="host"/> as the CNI plugin would.</summary>
    public static async Task WirePodAsync(ControlHost host, string podNetns, string hostInterface, string ip)
    {
        await ControlHost.ShAsync($"ip netns add {podNetns}");
        var spec = new WorkloadInterfaceSpec
        {
            NetnsPath = "/var/run/netns/" + podNetns,
            ContainerIfName = "eth0",
            HostIfName = hostInterface,
            IPv4 = [IPNetwork.Parse(ip + "/32")],
        };
        await NetworkNamespace.RunInAsync(host.Path, () => WorkloadInterfaces.SetUpAsync(spec, CancellationToken.None));
    }

    public static async Task<ControlProbe> StartAsync(string clientNetns, string serverNetns, string serverIp)
    {
        var sender = await NetworkNamespace.RunInAsync("/var/run/netns/" + clientNetns, () => new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Udp));
        var receiver = await NetworkNamespace.RunInAsync("/var/run/netns/" + serverNetns, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 4 << 20 };
            s.Bind(new IPEndPoint(IPAddress.Any, Port));
            return s;
        });
        var probe = new ControlProbe(sender, receiver, new IPEndPoint(IPAddress.Parse(serverIp), 0));
        probe._receiveThread.Start();
        probe._sendThread.Start();
        return probe;
    }

    public long Received => Interlocked.Read(ref _received);

    /// <summary>Send timestamp of the newest datagram the server received.</summary>
    public long LastSendTs => Interlocked.Read(ref _lastSendTs);

    public long LastReceiveTs => Interlocked.Read(ref _lastReceiveTs);

    /// <summary>From now on, remember the send timestamp of the first datagram received that was sent at or after <paramref name="from"/>.</summary>
    public void Arm(long from)
    {
        Interlocked.Exchange(ref _firstAfterArmed, 0);
        Interlocked.Exchange(ref _maxSendGap, 0);
        Interlocked.Exchange(ref _armedFrom, from);
    }

    /// <summary>The longest pause between two sends since <see cref="Arm"/> (Stopwatch ticks): the sender's own stalls.</summary>
    public long MaxSendGap => Interlocked.Read(ref _maxSendGap);

    /// <summary>The armed datagram's send timestamp, 0 until one arrived.</summary>
    public long FirstAfterArmed => Interlocked.Read(ref _firstAfterArmed);

    public void Dispose()
    {
        _stopping = true;
        _sendThread.Join();
        _receiver.Dispose();
        _receiveThread.Join();
        _sender.Dispose();
    }

    private void SendLoop()
    {
        Span<byte> datagram = stackalloc byte[16];
        var port = 0;
        var previous = Stopwatch.GetTimestamp();
        while (!_stopping)
        {
            var now = Stopwatch.GetTimestamp();
            if (now - previous > Interlocked.Read(ref _maxSendGap))
            {
                Interlocked.Exchange(ref _maxSendGap, now - previous);
            }

            previous = now;
            // UDP header written by hand: source port, destination port, length, checksum 0 (= none, valid for IPv4).
            BinaryPrimitives.WriteUInt16BigEndian(datagram, (ushort)(FirstSourcePort + port));
            BinaryPrimitives.WriteUInt16BigEndian(datagram[2..], Port);
            BinaryPrimitives.WriteUInt16BigEndian(datagram[4..], (ushort)datagram.Length);
            BinaryPrimitives.WriteUInt16BigEndian(datagram[6..], 0);
            BinaryPrimitives.WriteInt64LittleEndian(datagram[8..], now);
            port = (port + 1) % SourcePorts;
            try
            {
                _sender.SendTo(datagram, _server);
            }
            catch (SocketException)
            {
                // A full queue or an unreachable moment is a lost datagram, which is what the probe measures anyway.
            }

            _ = Usleep(200);
        }
    }

    private void ReceiveLoop()
    {
        var buffer = new byte[64];
        while (true)
        {
            int n;
            try
            {
                n = _receiver.Receive(buffer);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException) when (_stopping)
            {
                return;
            }

            var now = Stopwatch.GetTimestamp();
            if (n < 8)
            {
                continue;
            }

            var sent = BinaryPrimitives.ReadInt64LittleEndian(buffer);
            Interlocked.Exchange(ref _lastSendTs, sent);
            Interlocked.Exchange(ref _lastReceiveTs, now);
            Interlocked.Increment(ref _received);
            if (sent >= Interlocked.Read(ref _armedFrom))
            {
                Interlocked.CompareExchange(ref _firstAfterArmed, sent, 0);
            }
        }
    }

    // Thread.Sleep has millisecond granularity; the probe needs a finer, non-spinning pause (2 shared cores).
    // DllImport rather than LibraryImport: a plain int signature needs no marshalling, and the project has no unsafe code.
    [DllImport("libc", EntryPoint = "usleep")]
    private static extern int Usleep(uint microseconds);
}
