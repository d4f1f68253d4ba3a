using System.Net;
using System.Net.Sockets;
using Calico.TestKit;

namespace Calico.Linux.Tests.Bpf;

/// <summary>
/// Two namespaces joined by a veth pair (<c>a0</c> 10.99.0.1 in A, <c>b0</c> 10.99.0.2 in B), quiet on purpose:
/// IPv6 off and permanent ARP entries both ways, so the only frames b0 receives are the ones a test sends (a program
/// on b0's ingress then counts exactly those). Both namespaces go on dispose, whatever the test did.
/// </summary>
internal sealed class TwoHosts : IDisposable
{
    public static readonly IPAddress AddressA = IPAddress.Parse("10.99.0.1");
    public static readonly IPAddress AddressB = IPAddress.Parse("10.99.0.2");
    private const string MacA = "02:00:0a:63:00:01";
    private const string MacB = "02:00:0a:63:00:02";

    public TwoHosts()
    {
        A = new NetnsScope("calt-bpfa");
        try
        {
            B = new NetnsScope("calt-bpfb");
            foreach (var ns in new[] { A, B })
            {
                var (exit, _, error) = ns.Exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
                if (exit != 0)
                {
                    throw new InvalidOperationException($"turning IPv6 off in {ns.Name}: {error}");
                }
            }

            A.Ip("link", "add", "a0", "address", MacA, "type", "veth", "peer", "name", "b0", "address", MacB, "netns", B.Name);
            A.Ip("addr", "add", AddressA + "/24", "dev", "a0");
            B.Ip("addr", "add", AddressB + "/24", "dev", "b0");
            A.Ip("neigh", "replace", AddressB.ToString(), "lladdr", MacB, "dev", "a0", "nud", "permanent");
            B.Ip("neigh", "replace", AddressA.ToString(), "lladdr", MacA, "dev", "b0", "nud", "permanent");
            A.Ip("link", "set", "a0", "up");
            B.Ip("link", "set", "b0", "up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public NetnsScope A { get; }

    public NetnsScope B { get; } = null!;

    /// <summary>Runs <paramref name="action"/> on a thread inside B (where b0 is): every BpfTc call goes through here.</summary>
    public Task<T> InB<T>(Func<T> action) => NetworkNamespace.RunInAsync(B.Path, action);

    public Task<int> IndexOfB0() => InB(() => Linux.Bpf.BpfTc.InterfaceIndex("b0"));

    /// <summary>A UDP socket bound to B's address (created inside B, so it lives there).</summary>
    public Task<Socket> UdpReceiverInB() => InB(() =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(AddressB, 0));
        return socket;
    });

    public Task<Socket> UdpSenderInA() =>
        NetworkNamespace.RunInAsync(A.Path, () => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));

    /// <summary>Connects from A to a listener in B, sends a few bytes and reads them on the accepted side.</summary>
    public async Task<string> TcpRoundTripAsync(string text, CancellationToken cancellationToken)
    {
        using var listener = await InB(() =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(AddressB, 0));
            socket.Listen(1);
            return socket;
        });
        using var client = await NetworkNamespace.RunInAsync(A.Path, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp), cancellationToken);
        await client.ConnectAsync(listener.LocalEndPoint!, cancellationToken);
        using var accepted = await listener.AcceptAsync(cancellationToken);
        await client.SendAsync(System.Text.Encoding.ASCII.GetBytes(text), cancellationToken);
        var buffer = new byte[text.Length];
        var received = 0;
        while (received < buffer.Length)
        {
            var n = await accepted.ReceiveAsync(buffer.AsMemory(received), cancellationToken);
            if (n == 0)
            {
                break;
            }

            received += n;
        }

        return System.Text.Encoding.ASCII.GetString(buffer, 0, received);
    }

    /// <summary>What <c>tc filter show dev b0 ingress</c> says in B (the upstream tool's view of our filters).</summary>
    public string TcFilters(string direction = "ingress") => B.Exec("tc", "filter", "show", "dev", "b0", direction).Output;

    public string TcQdiscs() => B.Exec("tc", "qdisc", "show", "dev", "b0").Output;

    public void Dispose()
    {
        B?.Dispose();
        A?.Dispose();
    }
}
