using System.Net;
using System.Net.Sockets;
using System.Text;
using Calico.Linux;

namespace Calico.Lab.Cluster;

/// <summary>
/// calico-node is ready when <c>GET http://127.0.0.1:9099/readiness</c> inside its host namespace answers 200.
/// The request goes over a socket created inside that namespace (its loopback is not the machine's).
/// </summary>
public static class NodeReadiness
{
    public const int HealthPort = 9099;
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(200);

    /// <summary>True when the endpoint answered 200 now.</summary>
    public static async Task<bool> IsReadyAsync(string netnsPath, CancellationToken cancellationToken)
    {
        using var socket = await NetworkNamespace.RunInAsync(netnsPath, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp), cancellationToken).ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, HealthPort), timeout.Token).ConfigureAwait(false);
            await socket.SendAsync("GET /readiness HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"u8.ToArray(), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            var buffer = new byte[64];
            var length = 0;
            while (length < 12)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            var status = Encoding.ASCII.GetString(buffer, 0, length);
            return status.StartsWith("HTTP/1.", StringComparison.Ordinal) && status.Length >= 12 && status[9..12] == "200";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Polls until ready; fails naming the host and the end of its log when the node exits or the time is up.</summary>
    public static async Task WaitAsync(LabHost host, string logFile, TimeSpan limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            if (await IsReadyAsync(LabLayout.NetnsPath(host.Netns), cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            if (host.Node is { } node && !DetachedProcess.IsRunning(node))
            {
                throw new LabException($"calico-node on {host.Name} (pid {node.Pid}, {ProcessState(node.Pid)}) exited before it was ready; the end of {logFile}:\n{Tail(logFile, 20)}");
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new LabException($"calico-node on {host.Name} is not ready after {limit.TotalSeconds:0} s (GET http://127.0.0.1:{HealthPort}/readiness in {host.Netns}); the end of {logFile}:\n{Tail(logFile, 20)}");
            }

            await Task.Delay(s_poll, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>What /proc says of the PID: gone, a zombie, or running something else.</summary>
    private static string ProcessState(int pid)
    {
        try
        {
            string stat = File.ReadAllText(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"/proc/{pid}/stat"));
            string cmdline = File.ReadAllText(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"/proc/{pid}/cmdline")).Replace('\0', ' ').Trim();
            int close = stat.LastIndexOf(')');
            char state = close > 0 && close + 2 < stat.Length ? stat[close + 2] : '?';
            return $"state {state}, command line '{cmdline}'";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "no such process";
        }
    }

    internal static string Tail(string file, int lines)
    {
        try
        {
            var all = File.ReadAllLines(file);
            return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
        }
        catch (IOException e)
        {
            return "(cannot read the log: " + e.Message + ")";
        }
    }
}
