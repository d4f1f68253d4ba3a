using System.Net;
using System.Net.Sockets;
using System.Text;
using Calico.Linux;

namespace Calico.Lab.Tests.Packaging;

/// <summary>HTTP/1.1 GET to 127.0.0.1 from a socket made inside a network namespace (it stays there).</summary>
internal static class NetnsHttp
{
    /// <summary>The status code, or null when nothing answered within 2 s.</summary>
    public static async Task<int?> StatusAsync(string netnsPath, int port, string path)
    {
        Socket socket = await NetworkNamespace.RunInAsync(netnsPath, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        using (socket)
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
                await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"), cts.Token);
                var buffer = new byte[12];
                int read = 0;
                while (read < buffer.Length)
                {
                    int n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cts.Token);
                    if (n == 0)
                    {
                        return null;
                    }

                    read += n;
                }

                return int.Parse(Encoding.ASCII.GetString(buffer, 9, 3), System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or FormatException)
            {
                return null;
            }
        }
    }

    /// <summary>Whether something accepts TCP connections on 127.0.0.1:<paramref name="port"/> inside the namespace.</summary>
    public static async Task<bool> ListeningAsync(string netnsPath, int port)
    {
        Socket socket = await NetworkNamespace.RunInAsync(netnsPath, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        using (socket)
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
                return true;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                return false;
            }
        }
    }
}
