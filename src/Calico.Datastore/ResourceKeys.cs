using System.Text;

namespace Calico.Datastore;

/// <summary>
/// Upstream's etcd key layout (<c>libcalico-go/lib/backend/model</c>): v3 resources under
/// <c>/calico/resources/v3/projectcalico.org/</c> and IPAM objects under <c>/calico/ipam/v2/</c>.
/// Pure string functions; operators' existing data must resolve to the same keys.
/// </summary>
public static class ResourceKeys
{
    public const string ResourcesRoot = "/calico/resources/v3/projectcalico.org/";
    public const string IpamRoot = "/calico/ipam/v2/";
    public const string IpamConfig = "/calico/ipam/v2/config";
    public const string IpamHandlePrefix = "/calico/ipam/v2/handle/";

    /// <summary><c>/calico/resources/v3/projectcalico.org/&lt;plural&gt;/[&lt;ns&gt;/]&lt;name&gt;</c>, name escaped.</summary>
    public static string ForResource(string plural, string? ns, string name)
    {
        ValidateSegment(plural, nameof(plural));
        ArgumentException.ThrowIfNullOrEmpty(name);
        return Prefix(plural, ns) + EscapeName(name);
    }

    /// <summary>The list prefix for a kind, optionally within one namespace; always ends in '/'.</summary>
    public static string Prefix(string plural, string? ns)
    {
        ValidateSegment(plural, nameof(plural));
        if (string.IsNullOrEmpty(ns))
        {
            return ResourcesRoot + plural + "/";
        }

        ValidateSegment(ns, nameof(ns));
        return ResourcesRoot + plural + "/" + ns + "/";
    }

    /// <summary>Splits a resource key; false for anything not under the v3 resources root.</summary>
    public static bool TryParse(string key, out string plural, out string? ns, out string name)
    {
        plural = string.Empty;
        ns = null;
        name = string.Empty;
        if (key is null || !key.StartsWith(ResourcesRoot, StringComparison.Ordinal))
        {
            return false;
        }

        string[] parts = key[ResourcesRoot.Length..].Split('/');
        if (parts.Length is < 2 or > 3 || Array.Exists(parts, string.IsNullOrEmpty))
        {
            return false;
        }

        if (!TryUnescapeName(parts[^1], out string unescaped))
        {
            return false;
        }

        plural = parts[0];
        ns = parts.Length == 3 ? parts[1] : null;
        name = unescaped;
        return true;
    }

    /// <summary>Upstream's <c>escapeName</c>: '%' becomes "%25" and '/' becomes "%2f".</summary>
    public static string EscapeName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.AsSpan().IndexOfAny('%', '/') < 0)
        {
            return name;
        }

        var builder = new StringBuilder(name.Length + 8);
        foreach (char c in name)
        {
            switch (c)
            {
                case '%':
                    builder.Append("%25");
                    break;
                case '/':
                    builder.Append("%2f");
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary>Inverse of <see cref="EscapeName"/>; false for any other '%' sequence.</summary>
    public static bool TryUnescapeName(string escaped, out string name)
    {
        ArgumentNullException.ThrowIfNull(escaped);
        name = escaped;
        if (!escaped.Contains('%', StringComparison.Ordinal))
        {
            return true;
        }

        var builder = new StringBuilder(escaped.Length);
        for (int i = 0; i < escaped.Length; i++)
        {
            char c = escaped[i];
            if (c != '%')
            {
                builder.Append(c);
                continue;
            }

            if (i + 2 >= escaped.Length)
            {
                return false;
            }

            ReadOnlySpan<char> code = escaped.AsSpan(i + 1, 2);
            if (code.Equals("25", StringComparison.Ordinal))
            {
                builder.Append('%');
            }
            else if (code.Equals("2f", StringComparison.OrdinalIgnoreCase))
            {
                builder.Append('/');
            }
            else
            {
                return false;
            }

            i += 2;
        }

        name = builder.ToString();
        return true;
    }

    /// <summary><c>/calico/ipam/v2/assignment/ipv4/block/10.65.0.0-26</c> for block <c>10.65.0.0/26</c>.</summary>
    public static string IpamBlock(string cidr) => IpamBlockPrefix(IpVersionOf(cidr)) + CidrToSegment(cidr);

    /// <summary><c>/calico/ipam/v2/assignment/ipv4/block/</c> (or ipv6).</summary>
    public static string IpamBlockPrefix(int ipVersion) => $"{IpamRoot}assignment/ipv{CheckVersion(ipVersion)}/block/";

    /// <summary><c>/calico/ipam/v2/host/&lt;node&gt;/ipv4/block/10.65.0.0-26</c>.</summary>
    public static string IpamAffinity(string node, string cidr) => IpamAffinityPrefix(node, IpVersionOf(cidr)) + CidrToSegment(cidr);

    /// <summary><c>/calico/ipam/v2/host/&lt;node&gt;/ipv4/block/</c>: one node's affinities.</summary>
    public static string IpamAffinityPrefix(string node, int ipVersion)
    {
        ValidateSegment(node, nameof(node));
        return $"{IpamRoot}host/{node}/ipv{CheckVersion(ipVersion)}/block/";
    }

    /// <summary><c>/calico/ipam/v2/handle/&lt;id&gt;</c>.</summary>
    public static string IpamHandle(string handleId)
    {
        ArgumentException.ThrowIfNullOrEmpty(handleId);
        return IpamHandlePrefix + handleId;
    }

    /// <summary>Recovers the CIDR (<c>10.65.0.0/26</c>) from a block key.</summary>
    public static bool TryParseIpamBlock(string key, out string cidr)
    {
        cidr = string.Empty;
        foreach (int version in (ReadOnlySpan<int>)[4, 6])
        {
            string prefix = IpamBlockPrefix(version);
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                return TrySegmentToCidr(key[prefix.Length..], out cidr);
            }
        }

        return false;
    }

    /// <summary>Recovers node and CIDR from a host affinity key.</summary>
    public static bool TryParseIpamAffinity(string key, out string node, out string cidr)
    {
        node = string.Empty;
        cidr = string.Empty;
        string hostRoot = IpamRoot + "host/";
        if (key is null || !key.StartsWith(hostRoot, StringComparison.Ordinal))
        {
            return false;
        }

        string[] parts = key[hostRoot.Length..].Split('/');
        if (parts.Length != 4 || parts[0].Length == 0 || parts[1] is not ("ipv4" or "ipv6") || parts[2] != "block")
        {
            return false;
        }

        node = parts[0];
        return TrySegmentToCidr(parts[3], out cidr);
    }

    private static string CidrToSegment(string cidr)
    {
        int slash = cidr.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == cidr.Length - 1 || cidr.IndexOf('/', slash + 1) >= 0)
        {
            throw new ArgumentException($"not a CIDR: \"{cidr}\"", nameof(cidr));
        }

        return string.Concat(cidr.AsSpan(0, slash), "-", cidr.AsSpan(slash + 1));
    }

    private static bool TrySegmentToCidr(string segment, out string cidr)
    {
        int dash = segment.LastIndexOf('-');
        cidr = string.Empty;
        if (dash <= 0 || dash == segment.Length - 1 || segment.Contains('/', StringComparison.Ordinal))
        {
            return false;
        }

        cidr = string.Concat(segment.AsSpan(0, dash), "/", segment.AsSpan(dash + 1));
        return true;
    }

    private static int IpVersionOf(string cidr)
    {
        ArgumentException.ThrowIfNullOrEmpty(cidr);
        return cidr.Contains(':', StringComparison.Ordinal) ? 6 : 4;
    }

    private static int CheckVersion(int ipVersion) =>
        ipVersion is 4 or 6 ? ipVersion : throw new ArgumentOutOfRangeException(nameof(ipVersion), ipVersion, "IP version must be 4 or 6");

    private static void ValidateSegment(string value, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, paramName);
        if (value.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"must not contain '/': \"{value}\"", paramName);
        }
    }
}
