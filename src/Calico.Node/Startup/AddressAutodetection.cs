using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Calico.Linux.Netlink;

namespace Calico.Node.Startup;

/// <summary>One candidate address: the interface it is on (name and link kind) and the address with its prefix.</summary>
internal sealed record AddressCandidate(string Interface, string? Kind, IPAddress Address, int PrefixLength, byte Scope);

/// <summary>
/// Upstream's node address autodetection (<c>IP_AUTODETECTION_METHOD</c> / <c>IP6_AUTODETECTION_METHOD</c>):
/// <c>first-found</c> (default), <c>can-reach=&lt;address or name&gt;</c>, <c>interface=&lt;regex&gt;[,&lt;regex&gt;…]</c>,
/// <c>skip-interface=&lt;regex&gt;[,…]</c>, <c>cidr=&lt;cidr&gt;[,…]</c>. Loopback, link-local and host-scope addresses
/// are never chosen, nor addresses on upstream's well-known virtual interfaces or (ours) on Linux bridges, whose
/// address belongs to the bridge's own network rather than the host's. When nothing fits, the reason says what was
/// looked at and why each was refused. The selection is pure (<see cref="Select"/>); only reading the kernel is not.
/// </summary>
internal static partial class AddressAutodetection
{
    [GeneratedRegex(@"^(docker.*|cbr.*|dummy.*|virbr.*|lxcbr.*|veth.*|lo|cali.*|tunl.*|flannel.*|kube-ipvs.*|cni.*|vxlan\.calico.*|vxlan-v6\.calico.*|wireguard\.cali.*|wg-v6\.cali.*|nodelocaldns.*|podman.*)$")]
    private static partial Regex ExcludedInterfaces();

    /// <summary>CIDR form ("10.0.0.5/24"), or null with the reason.</summary>
    public static string? Detect(string method, AddressFamily family, out string reason)
    {
        IReadOnlyList<AddressCandidate> candidates = ReadCandidates(family);
        Func<IPAddress, IPAddress?>? sourceFor = null;
        if (method.StartsWith("can-reach=", StringComparison.Ordinal))
        {
            sourceFor = SourceAddressTowards;
        }

        return Select(method, family, candidates, sourceFor, out reason);
    }

    /// <summary>Kept for callers of the original API: IPv4 first-found.</summary>
    public static string? FirstFound(out string reason) => Detect("first-found", AddressFamily.InterNetwork, out reason);

    internal static string? Select(string method, AddressFamily family, IReadOnlyList<AddressCandidate> candidates, Func<IPAddress, IPAddress?>? sourceFor, out string reason)
    {
        string m = method.Trim();
        var refused = new List<string>();
        var usable = new List<AddressCandidate>();
        foreach (AddressCandidate c in candidates)
        {
            if (c.Address.AddressFamily != family)
            {
                continue;
            }

            string? why = Unusable(c);
            if (why is null)
            {
                usable.Add(c);
            }
            else
            {
                refused.Add($"{c.Address} on {c.Interface} ({why})");
            }
        }

        AddressCandidate? chosen;
        string how;
        if (m is "" or "first-found")
        {
            chosen = usable.FirstOrDefault(c => !ExcludedInterfaces().IsMatch(c.Interface) && c.Kind != "bridge");
            how = "first-found";
            refused.AddRange(usable.Where(c => ExcludedInterfaces().IsMatch(c.Interface) || c.Kind == "bridge")
                .Select(c => $"{c.Address} on {c.Interface} ({(c.Kind == "bridge" ? "a bridge" : "an excluded virtual interface")})"));
        }
        else if (m.StartsWith("interface=", StringComparison.Ordinal))
        {
            Regex[] patterns = Patterns(m["interface=".Length..], "interface");
            chosen = usable.FirstOrDefault(c => patterns.Any(p => p.IsMatch(c.Interface)));
            how = m;
        }
        else if (m.StartsWith("skip-interface=", StringComparison.Ordinal))
        {
            Regex[] patterns = Patterns(m["skip-interface=".Length..], "skip-interface");
            chosen = usable.FirstOrDefault(c => !patterns.Any(p => p.IsMatch(c.Interface)) && !ExcludedInterfaces().IsMatch(c.Interface) && c.Kind != "bridge");
            how = m;
        }
        else if (m.StartsWith("cidr=", StringComparison.Ordinal))
        {
            var nets = new List<IPNetwork>();
            foreach (string text in m["cidr=".Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                nets.Add(IPNetwork.TryParse(text, out IPNetwork net) ? net : throw new ArgumentException($"IP_AUTODETECTION_METHOD='{method}': '{text}' is not a CIDR"));
            }

            chosen = usable.FirstOrDefault(c => nets.Any(n => n.Contains(c.Address)));
            how = m;
        }
        else if (m.StartsWith("can-reach=", StringComparison.Ordinal))
        {
            string target = m["can-reach=".Length..];
            IPAddress destination = IPAddress.TryParse(target, out IPAddress? literal) ? literal
                : Dns.GetHostAddresses(target).FirstOrDefault(a => a.AddressFamily == family)
                  ?? throw new ArgumentException($"IP_AUTODETECTION_METHOD='{method}': '{target}' has no {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address");
            IPAddress? source = sourceFor?.Invoke(destination);
            chosen = source is null ? null : usable.FirstOrDefault(c => c.Address.Equals(source));
            how = m;
            if (source is not null && chosen is null)
            {
                refused.Add($"the kernel's source towards {destination} is {source}, which is not a usable interface address");
            }
            else if (source is null)
            {
                refused.Add($"no route to {destination}");
            }
        }
        else
        {
            throw new ArgumentException($"IP_AUTODETECTION_METHOD='{method}' is not one of first-found, can-reach=, interface=, skip-interface=, cidr=");
        }

        if (chosen is null)
        {
            reason = $"{how}: no address fits" + (refused.Count > 0 ? "; refused: " + string.Join("; ", refused) : "; no addresses of this family at all");
            return null;
        }

        reason = $"{how}: {chosen.Address}/{chosen.PrefixLength} on {chosen.Interface}";
        return $"{chosen.Address}/{chosen.PrefixLength}";
    }

    private static string? Unusable(AddressCandidate c)
    {
        if (IPAddress.IsLoopback(c.Address) || c.Interface == "lo")
        {
            return "loopback";
        }

        if (c.Address.IsIPv6LinkLocal || c.Address.ToString().StartsWith("169.254.", StringComparison.Ordinal))
        {
            return "link-local";
        }

        return c.Scope != 0 ? "not global scope" : null;
    }

    private static Regex[] Patterns(string list, string what)
    {
        var result = new List<Regex>();
        foreach (string p in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            try
            {
                result.Add(new Regex("^(?:" + p + ")$", RegexOptions.None, TimeSpan.FromSeconds(1)));
            }
            catch (ArgumentException)
            {
                throw new ArgumentException($"IP_AUTODETECTION_METHOD {what}= pattern '{p}' is not a valid regular expression");
            }
        }

        return [.. result];
    }

    private static List<AddressCandidate> ReadCandidates(AddressFamily family)
    {
        using RouteNetlink netlink = RouteNetlink.Open();
        var links = netlink.ListLinks().ToDictionary(l => l.Index);
        return netlink.ListAddresses(family).OrderBy(a => a.InterfaceIndex)
            .Where(a => links.ContainsKey(a.InterfaceIndex))
            .Select(a => new AddressCandidate(links[a.InterfaceIndex].Name, links[a.InterfaceIndex].Kind, a.Address, a.PrefixLength, a.Scope))
            .ToList();
    }

    /// <summary>The source address the kernel picks towards <paramref name="destination"/> (a UDP connect sends nothing).</summary>
    private static IPAddress? SourceAddressTowards(IPAddress destination)
    {
        try
        {
            using var socket = new Socket(destination.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            socket.Connect(new IPEndPoint(destination, 9));
            return ((IPEndPoint)socket.LocalEndPoint!).Address;
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
