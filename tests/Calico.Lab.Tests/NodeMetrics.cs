using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Calico.Linux;

namespace Calico.Lab.Tests;

/// <summary>calico-node's Prometheus page (port 9091) inside a host's namespace, fetched over a socket made there.</summary>
public static class NodeMetrics
{
    public const int Port = 9091;

    /// <summary>Every sample of <c>/metrics</c>: family (name without labels) -> sum over its label sets.</summary>
    public static async Task<IReadOnlyDictionary<string, double>> ScrapeAsync(string netnsPath)
    {
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = await NetworkNamespace.RunInAsync(netnsPath, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp), cancellationToken);
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        var text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/metrics"));
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            if (space <= 0 || !double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            var name = line[..space];
            var brace = name.IndexOf('{', StringComparison.Ordinal);
            name = brace >= 0 ? name[..brace] : name;
            sums[name] = sums.GetValueOrDefault(name) + value;
        }

        return sums;
    }
}
