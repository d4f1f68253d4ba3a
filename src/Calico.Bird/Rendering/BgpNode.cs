using System.Net;
using System.Net.Sockets;
using Calico.Api;

namespace Calico.Bird.Rendering;

/// <summary>
/// The BGP facts of one Calico node, as upstream keeps them under <c>/calico/bgp/v1/host/&lt;node&gt;</c>: addresses
/// without prefix length (Go's formatting: dotted quad, compressed lower-case IPv6), own AS, RR cluster ID, labels.
/// </summary>
internal sealed record BgpNode(
    string Name,
    string? Ipv4,
    string? Ipv6,
    uint? AsNumber,
    string? RouteReflectorClusterId,
    IReadOnlyDictionary<string, string> Labels)
{
    private static readonly Dictionary<string, string> NoLabels = [];

    public string? Address(IpFamily family) => family == IpFamily.V4 ? Ipv4 : Ipv6;

    public bool IsRouteReflector => !string.IsNullOrEmpty(RouteReflectorClusterId);

    public static BgpNode From(Node node)
    {
        var bgp = node.Spec.Bgp;
        return new BgpNode(
            node.Metadata.Name ?? "",
            AddressOf(bgp?.Ipv4Address, AddressFamily.InterNetwork),
            AddressOf(bgp?.Ipv6Address, AddressFamily.InterNetworkV6),
            bgp?.AsNumber,
            string.IsNullOrEmpty(bgp?.RouteReflectorClusterID) ? null : bgp.RouteReflectorClusterID,
            node.Metadata.Labels ?? NoLabels);
    }

    /// <summary>Node addresses are written "10.0.0.1/24"; confd strips the prefix. Unparseable means absent.</summary>
    private static string? AddressOf(string? text, AddressFamily family)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        return Cidr.TryParseAddress(addressText, out IPAddress address) && address.AddressFamily == family
            ? address.ToString()
            : null;
    }
}
