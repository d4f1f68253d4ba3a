using System.Net;
using System.Net.Sockets;
using System.Text;
using Calico.Linux;

namespace Calico.Node.Tests.Kernel;

/// <summary>Sockets created inside a namespace (they stay there): listeners that answer with the peer's address, probes.</summary>
internal static class NetnsSockets
{
    /// <summary>A TCP listener inside <paramref name="netns"/> that writes "&lt;peer address&gt;\n" to every connection.</summary>
    public static async Task<TcpListener> ListenAsync(string netns, IPAddress address, int port)
    {
        TcpListener listener = await NetworkNamespace.RunInAsync("/var/run/netns/" + netns, () =>
        {
            var l = new TcpListener(address, port);
            l.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            l.Start();
            return l;
        });
        _ = Task.Run(async () =>
        {
            while (true)
            {
                Socket client;
                try
                {
                    client = await listener.AcceptSocketAsync();
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                using (client)
                {
                    string peer = ((IPEndPoint)client.RemoteEndPoint!).Address.MapToIPv4().ToString();
                    try
                    {
                        await client.SendAsync(Encoding.ASCII.GetBytes(peer + "\n"));
                        client.Shutdown(SocketShutdown.Both);
                    }
                    catch (SocketException)
                    {
                    }
                }
            }
        });
        return listener;
    }

    /// <summary>Connects from inside <paramref name="netns"/>; the line the server wrote, or null when it could not connect in time.</summary>
    public static async Task<string?> ProbeAsync(string netns, IPAddress target, int port, TimeSpan timeout)
    {
        Socket socket = await NetworkNamespace.RunInAsync("/var/run/netns/" + netns, () => new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
        using (socket)
        using (var cts = new CancellationTokenSource(timeout))
        {
            try
            {
                await socket.ConnectAsync(new IPEndPoint(target, port), cts.Token);
                var buffer = new byte[128];
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                return Encoding.ASCII.GetString(buffer, 0, n).Trim();
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                return null;
            }
        }
    }

    /// <summary>An HTTP GET over a socket created inside <paramref name="netns"/>: (status code, body), or null.</summary>
    public static async Task<(int Status, string Body)?> HttpGetAsync(string netns, int port, string path)
    {
        Socket socket = await NetworkNamespace.RunInAsync("/var/run/netns/" + netns, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        using (socket)
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
                await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"), cts.Token);
                var all = new MemoryStream();
                var buffer = new byte[4096];
                int n;
                while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token)) > 0)
                {
                    all.Write(buffer, 0, n);
                }

                string text = Encoding.UTF8.GetString(all.ToArray());
                int status = int.Parse(text.AsSpan(9, 3), provider: System.Globalization.CultureInfo.InvariantCulture);
                int body = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                return (status, body < 0 ? "" : text[(body + 4)..]);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or FormatException or ArgumentOutOfRangeException)
            {
                return null;
            }
        }
    }
}
