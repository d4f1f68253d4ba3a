using System.Net;
using System.Net.Sockets;

namespace Calico.Observability.Http;

/// <summary>Turns Felix's host settings (healthHost, prometheusMetricsHost) into addresses to bind.</summary>
internal static class ListenAddresses
{
    /// <summary>
    /// "" means every address (one dual-stack socket when IPv6 exists); "localhost" means both loopbacks,
    /// the IPv6 one optional; anything else is an IP literal or a name resolved once, now.
    /// </summary>
    public static IReadOnlyList<(IPAddress Address, bool Optional)> Resolve(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (host.Length == 0)
        {
            return [(Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any, false)];
        }
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return Socket.OSSupportsIPv6
                ? [(IPAddress.Loopback, false), (IPAddress.IPv6Loopback, true)]
                : [(IPAddress.Loopback, false)];
        }
        var literal = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (IPAddress.TryParse(literal, out var address))
        {
            return [(address, false)];
        }
        return [.. Dns.GetHostAddresses(host).Select(resolved => (resolved, false))];
    }
}
