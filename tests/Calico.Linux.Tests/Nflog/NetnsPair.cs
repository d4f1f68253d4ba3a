using System.Net;
using System.Net.Sockets;
using Calico.TestKit;

namespace Calico.Linux.Tests.Nflog;

/// <summary>
/// Two namespaces joined by a veth: the client side <see cref="A"/> (10.77.0.1, fd77::1) and the server side
/// <see cref="B"/> (10.77.0.2, fd77::2), both removed on dispose. Sockets made by <see cref="SocketIn"/> belong to the
/// namespace they were created in, whatever thread uses them later.
/// </summary>
internal sealed class NetnsPair : IDisposable
{
    public static readonly IPAddress AddressA = IPAddress.Parse("10.77.0.1");
    public static readonly IPAddress AddressB = IPAddress.Parse("10.77.0.2");
    public static readonly IPAddress Address6A = IPAddress.Parse("fd77::1");
    public static readonly IPAddress Address6B = IPAddress.Parse("fd77::2");

    public NetnsPair(string prefix)
    {
        A = new NetnsScope(prefix + "a");
        try
        {
            B = new NetnsScope(prefix + "b");
            A.Ip("link", "add", "veth-a", "type", "veth", "peer", "name", "veth-b", "netns", B.Name);
            A.Ip("addr", "add", "10.77.0.1/24", "dev", "veth-a");
            B.Ip("addr", "add", "10.77.0.2/24", "dev", "veth-b");
            A.Ip("addr", "add", "fd77::1/64", "dev", "veth-a", "nodad");
            B.Ip("addr", "add", "fd77::2/64", "dev", "veth-b", "nodad");
            A.Ip("link", "set", "veth-a", "up");
            B.Ip("link", "set", "veth-b", "up");
            InterfaceB = IndexIn(B, "veth-b");
        }
        catch
        {
            B?.Dispose();
            A.Dispose();
            throw;
        }
    }

    public NetnsScope A { get; }

    public NetnsScope B { get; } = null!;

    /// <summary>veth-b's interface index inside B.</summary>
    public int InterfaceB { get; }

    public static Task<Socket> SocketIn(NetnsScope scope, AddressFamily family, SocketType type, ProtocolType protocol) =>
        NetworkNamespace.RunInAsync(scope.Path, () => new Socket(family, type, protocol));

    public static Task<TcpListener> ListenerIn(NetnsScope scope, IPAddress address, int port) =>
        NetworkNamespace.RunInAsync(scope.Path, () =>
        {
            var listener = new TcpListener(address, port);
            listener.Start(64);
            return listener;
        });

    public void Dispose()
    {
        B?.Dispose();
        A.Dispose();
    }

    private static int IndexIn(NetnsScope scope, string name)
    {
        (int exit, string output, string error) = scope.Exec("cat", $"/sys/class/net/{name}/ifindex");
        return exit == 0 ? int.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture) : throw new InvalidOperationException(error);
    }
}
