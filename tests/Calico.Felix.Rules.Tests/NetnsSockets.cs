using System.Net;
using System.Net.Sockets;
using Calico.Linux;
using Calico.TestKit;

namespace Calico.Felix.Rules.Tests;

/// <summary>TCP listeners and connections whose sockets live in a test namespace (created there, used from anywhere).</summary>
internal static class NetnsSockets
{
    /// <summary>A firewall that drops a SYN shows up as no answer; this long without one counts as dropped.</summary>
    public static readonly TimeSpan DropTimeout = TimeSpan.FromSeconds(3);

    public static Task<TcpListener> ListenAsync(NetnsScope ns, int port) =>
        NetworkNamespace.RunInAsync(ns.Path, () =>
        {
            var listener = new TcpListener(IPAddress.Any, port);
            listener.Start();
            return listener;
        });

    /// <summary>True when the connection was established, false when nothing answered within <see cref="DropTimeout"/>.</summary>
    public static async Task<bool> ConnectsAsync(NetnsScope from, IPAddress address, int port)
    {
        using Socket socket = await NetworkNamespace.RunInAsync(from.Path, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        using var timeout = new CancellationTokenSource(DropTimeout);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
            return true;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return false;
        }
    }
}
