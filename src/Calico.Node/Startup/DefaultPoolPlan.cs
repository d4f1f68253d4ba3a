using System.Globalization;
using System.Net;
using Calico.Api;

namespace Calico.Node.Startup;

/// <summary>
/// Upstream's <c>configureIPPools</c> settings, read and checked before anything is written: which default pools this
/// node creates when no pool of their family exists. <c>NO_DEFAULT_POOLS=true</c> creates none (and refuses a CIDR
/// given beside it, as upstream); <c>CALICO_IPV4POOL_CIDR=none</c> / <c>CALICO_IPV6POOL_CIDR=none</c> skip one family.
/// Unlike upstream, every value is checked at start even when no pool will be created (upstream checks the modes
/// only when it creates, and reads an unknown boolean word as true).
/// </summary>
internal sealed record DefaultPoolPlan(DefaultPoolSpec? V4, DefaultPoolSpec? V6, bool Ipv6Support)
{
    public const string V4Name = "default-ipv4-ippool";
    public const string V6Name = "default-ipv6-ippool";
    public const string DefaultV4Cidr = "192.168.0.0/16";

    /// <summary>No default pools (<c>NO_DEFAULT_POOLS=true</c>).</summary>
    public static DefaultPoolPlan None { get; } = new(null, null, Ipv6Support: false);

    /// <summary>Throws <see cref="ArgumentException"/> naming the variable and its value.</summary>
    public static DefaultPoolPlan Parse(IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? v4Cidr = EnvironmentValues.Get(environment, "CALICO_IPV4POOL_CIDR");
        string? v6Cidr = EnvironmentValues.Get(environment, "CALICO_IPV6POOL_CIDR");
        if (EnvironmentValues.Bool(environment, "NO_DEFAULT_POOLS", defaultValue: false))
        {
            if (v4Cidr is not null || v6Cidr is not null)
            {
                throw new ArgumentException(
                    "calico-node: NO_DEFAULT_POOLS=true with " + (v4Cidr is not null ? $"CALICO_IPV4POOL_CIDR='{v4Cidr}'" : $"CALICO_IPV6POOL_CIDR='{v6Cidr}'") +
                    ": invalid configuration (no default pools, yet a default pool CIDR); unset one of them");
            }

            return None;
        }

        DefaultPoolSpec? v4 = v4Cidr == "none" ? null : Family(environment, 4, v4Cidr);
        DefaultPoolSpec? v6 = v6Cidr == "none" ? null : Family(environment, 6, v6Cidr);
        bool ipv6Support = EnvironmentValues.Bool(environment, "FELIX_IPV6SUPPORT", defaultValue: true);
        return new DefaultPoolPlan(v4, v6, ipv6Support);
    }

    private static DefaultPoolSpec Family(IReadOnlyDictionary<string, string> environment, int version, string? cidrText)
    {
        string prefix = version == 4 ? "CALICO_IPV4POOL_" : "CALICO_IPV6POOL_";
        string? cidr = null;
        if (cidrText is not null)
        {
            if (!Cidr.TryParse(cidrText, out IPNetwork network) || (network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 4 : 6) != version)
            {
                throw EnvironmentValues.Bad(prefix + "CIDR", cidrText, $"not an IPv{version} CIDR (e.g. {(version == 4 ? "10.48.0.0/16" : "fd00:48::/48")}), or 'none'");
            }

            cidr = Cidr.Format(network);
        }

        int blockSize = version == 4 ? 26 : 122;
        (int min, int max) = version == 4 ? (20, 32) : (116, 128);
        if (EnvironmentValues.Get(environment, prefix + "BLOCK_SIZE") is { } blockText)
        {
            if (!int.TryParse(blockText, NumberStyles.None, CultureInfo.InvariantCulture, out blockSize) || blockSize < min || blockSize > max)
            {
                throw EnvironmentValues.Bad(prefix + "BLOCK_SIZE", blockText, $"an IPv{version} block size is {min} to {max}");
            }
        }

        int poolPrefix = cidr is null ? (version == 4 ? 16 : 48) : IPNetwork.Parse(cidr).PrefixLength;
        if (poolPrefix > blockSize)
        {
            throw EnvironmentValues.Bad(prefix + "BLOCK_SIZE", blockSize.ToString(CultureInfo.InvariantCulture), $"the pool {cidr} is smaller than one block (prefix /{poolPrefix} > /{blockSize})");
        }

        // Upstream's default pool never uses IP-in-IP for IPv6 (the variable does not exist).
        string ipip = version == 4 ? Mode(environment, prefix + "IPIP") : "Never";
        string vxlan = Mode(environment, prefix + "VXLAN");
        if (ipip != "Never" && vxlan != "Never")
        {
            throw new ArgumentException($"calico-node: CALICO_IPV4POOL_IPIP='{environment[prefix + "IPIP"]}' and CALICO_IPV4POOL_VXLAN='{environment[prefix + "VXLAN"]}': a pool uses IP-in-IP or VXLAN, not both (set one to Never)");
        }

        string selector = EnvironmentValues.Get(environment, prefix + "NODE_SELECTOR") ?? "";
        if (selector.Length > 0 && !Selectors.Selector.TryParse(selector, out _, out Selectors.SelectorSyntaxException? error))
        {
            throw EnvironmentValues.Bad(prefix + "NODE_SELECTOR", selector, error.Message);
        }

        bool natOutgoing = EnvironmentValues.Bool(environment, prefix + "NAT_OUTGOING", defaultValue: version == 4);
        bool disableExport = EnvironmentValues.Bool(environment, prefix + "DISABLE_BGP_EXPORT", defaultValue: false);
        return new DefaultPoolSpec(version == 4 ? V4Name : V6Name, version, cidr, blockSize, ipip, vxlan, natOutgoing, selector, disableExport);
    }

    /// <summary>Upstream's words for an encapsulation mode (any case): unset, off, never; crosssubnet, cross-subnet; always.</summary>
    private static string Mode(IReadOnlyDictionary<string, string> environment, string name)
    {
        string? value = EnvironmentValues.Get(environment, name);
        return value?.ToLowerInvariant() switch
        {
            null or "off" or "never" => "Never",
            "crosssubnet" or "cross-subnet" => "CrossSubnet",
            "always" => "Always",
            _ => throw EnvironmentValues.Bad(name, value, "expected Always, CrossSubnet or Never"),
        };
    }

    /// <summary>
    /// Upstream's <c>GetDefaultIPv4Pool</c>: 192.168.0.0/16 unless a host address lies in it, else the first of
    /// 172.16.0.0/16 … 172.31.0.0/16 holding none, else 192.168.0.0/16 all the same.
    /// </summary>
    public static string ChooseIpv4Cidr(IEnumerable<IPAddress> hostAddresses)
    {
        ArgumentNullException.ThrowIfNull(hostAddresses);
        var addresses = hostAddresses.ToList();
        IPNetwork preferred = IPNetwork.Parse(DefaultV4Cidr);
        if (!addresses.Any(preferred.Contains))
        {
            return DefaultV4Cidr;
        }

        for (int second = 16; second <= 31; second++)
        {
            var candidate = new IPNetwork(new IPAddress([172, (byte)second, 0, 0]), 16);
            if (!addresses.Any(candidate.Contains))
            {
                return Cidr.Format(candidate);
            }
        }

        return DefaultV4Cidr;
    }

    /// <summary>Upstream's <c>GenerateIPv6ULAPrefix</c>: fd00::/8 with 40 random bits (RFC 4193), a /48.</summary>
    public static string RandomUlaPrefix(Action<Span<byte>> random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var bytes = new byte[16];
        bytes[0] = 0xfd;
        random(bytes.AsSpan(1, 5));
        return Cidr.Format(new IPNetwork(new IPAddress(bytes), 48));
    }
}
