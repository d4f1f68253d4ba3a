using System.Net.Sockets;
using System.Text.RegularExpressions;
using Calico.Linux.Netlink;

namespace Calico.Node.Startup;

/// <summary>
/// Upstream's default <c>first-found</c> method: the first global-scope IPv4 address on an interface that is not
/// one of the well-known virtual ones, in interface index order. (The other methods come with the BGP work.)
/// </summary>
internal static partial class AddressAutodetection
{
    [GeneratedRegex(@"^(docker.*|cbr.*|dummy.*|virbr.*|lxcbr.*|veth.*|lo|cali.*|tunl.*|flannel.*|kube-ipvs.*|cni.*|vxlan\.calico.*|vxlan-v6\.calico.*|wireguard\.cali.*|wg-v6\.cali.*|nodelocaldns.*|podman.*)$")]
    private static partial Regex ExcludedInterfaces();

    /// <summary>CIDR form ("10.0.0.5/24"), or null with the reason.</summary>
    public static string? FirstFound(out string reason)
    {
        using RouteNetlink netlink = RouteNetlink.Open();
        var links = netlink.ListLinks().ToDictionary(l => l.Index);
        foreach (AddressInfo address in netlink.ListAddresses(AddressFamily.InterNetwork).OrderBy(a => a.InterfaceIndex))
        {
            if (!links.TryGetValue(address.InterfaceIndex, out LinkInfo? link) || ExcludedInterfaces().IsMatch(link.Name))
            {
                continue;
            }

            // Scope 0 = global: loopback (host scope) and link-local addresses are never a node address.
            if (address.Scope != 0 || address.Address.ToString().StartsWith("169.254.", StringComparison.Ordinal))
            {
                continue;
            }

            reason = $"first-found: {address.Address}/{address.PrefixLength} on {link.Name}";
            return $"{address.Address}/{address.PrefixLength}";
        }

        reason = "first-found: no global IPv4 address on any interface other than the excluded virtual ones (" + ExcludedInterfaces() + ")";
        return null;
    }
}
