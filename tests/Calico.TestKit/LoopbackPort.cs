using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Calico.TestKit;

/// <summary>
/// A loopback TCP port for a server a test starts (etcd, goldmane, metrics).
/// The kernel's "port 0" answer is an ephemeral port, the same pool every outgoing connection on the machine draws
/// its source port from, so between the probe and the server's bind a client elsewhere in a parallel test run can
/// take it ("bind: address already in use"). Ports are therefore drawn at random from below the ephemeral range,
/// checked free by binding, and never handed out twice by this process.
/// </summary>
public static class LoopbackPort
{
    private const int Lowest = 10_000;
    private static readonly HashSet<int> Given = [];

    public static int Free()
    {
        int ceiling = EphemeralLow();
        lock (Given)
        {
            for (int attempt = 0; attempt < 200; attempt++)
            {
                int port = Random.Shared.Next(Lowest, ceiling);
                if (Given.Contains(port) || !CanBind(port))
                {
                    continue;
                }

                Given.Add(port);
                return port;
            }
        }

        throw new InvalidOperationException($"no free loopback port found in {Lowest}-{ceiling} after 200 tries");
    }

    /// <summary>Whether an exception's text says a server could not bind its port (worth one more try on new ports).</summary>
    public static bool IsAddressInUse(Exception exception) =>
        exception.ToString().Contains("address already in use", StringComparison.OrdinalIgnoreCase);

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int EphemeralLow()
    {
        try
        {
            string[] range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range")
                .Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            int low = int.Parse(range[0], CultureInfo.InvariantCulture);
            return low > Lowest + 1000 ? low : 32_768;
        }
        catch (IOException)
        {
            return 32_768;
        }
    }
}
