using System.Net;

namespace Calico.Node.Startup;

/// <summary>
/// calico-node's start-up settings from its command line and environment (upstream's names): which node it is,
/// its address, where felix.cfg and its state live.
/// </summary>
internal sealed record NodeSettings(
    string NodeName,
    string? Ipv4Address,
    bool AutodetectIpv4,
    string? Ipv6Address,
    bool AutodetectIpv6,
    string FelixConfigPath,
    string StateDir,
    IReadOnlyDictionary<string, string> Environment)
{
    public const string DefaultFelixConfigPath = "/etc/calico/felix.cfg";
    public const string DefaultStateDir = "/var/lib/calico";

    /// <summary>Default pools to create at start (upstream's CALICO_IPV4POOL_*, CALICO_IPV6POOL_*, NO_DEFAULT_POOLS).</summary>
    public DefaultPoolPlan DefaultPools { get; init; } = DefaultPoolPlan.None;

    /// <summary>AS and CALICO_ROUTER_ID.</summary>
    public BgpStartupSettings Bgp { get; init; } = new(null, null);

    /// <summary><c>CALICO_BPF_ROOT</c>, checked (see <see cref="ParseBpfRoot"/>).</summary>
    public string BpfRoot { get; init; } = Linux.Bpf.BpfFilesystem.DefaultRoot;

    public const string Usage =
        "usage: calico-node [--felix-config <path>] [--state-dir <dir>]\n" +
        "  Runs the per-host agent (Felix) until SIGTERM.\n" +
        "  --felix-config  Felix's config file (default /etc/calico/felix.cfg; absent is fine)\n" +
        "  --state-dir     where the nodename and mtu files are written (default /var/lib/calico)\n" +
        "Environment: NODENAME, IP (autodetect|none|<address>[/<len>]), IP6 (none|autodetect|<address>[/<len>]),\n" +
        "  IP_AUTODETECTION_METHOD / IP6_AUTODETECTION_METHOD (first-found, can-reach=, interface=, skip-interface=, cidr=), DATASTORE_TYPE (etcdv3|embedded),\n" +
        "  ETCD_ENDPOINTS, CALICO_DATASTORE_PATH, FELIX_<PARAMETER>.\n" +
        "  Default pools (created when no pool of the family exists): NO_DEFAULT_POOLS (true: none),\n" +
        "  CALICO_IPV4POOL_CIDR (default 192.168.0.0/16, or a free 172.16-31.0.0/16 when a host address is in it; none: no IPv4 pool),\n" +
        "  CALICO_IPV4POOL_BLOCK_SIZE (20-32, default 26), CALICO_IPV4POOL_IPIP and CALICO_IPV4POOL_VXLAN (Always|CrossSubnet|Never),\n" +
        "  CALICO_IPV4POOL_NAT_OUTGOING (default true), CALICO_IPV4POOL_NODE_SELECTOR, CALICO_IPV4POOL_DISABLE_BGP_EXPORT,\n" +
        "  CALICO_IPV6POOL_CIDR (default a random ULA /48, when FELIX_IPV6SUPPORT is not false and the kernel has IPv6),\n" +
        "  CALICO_IPV6POOL_BLOCK_SIZE (116-128, default 122), CALICO_IPV6POOL_VXLAN, CALICO_IPV6POOL_NAT_OUTGOING (default false),\n" +
        "  CALICO_IPV6POOL_NODE_SELECTOR, CALICO_IPV6POOL_DISABLE_BGP_EXPORT.\n" +
        "  BGP: AS (this node's AS number), CALICO_ROUTER_ID (<IPv4 address>|hash).\n" +
        "Probes (exit 0 healthy, 1 not, with the reason): calico-node [health] [--state-dir <dir>] -felix-live -felix-ready\n" +
        "  -bird-live -bird-ready -bird6-live -bird6-ready [-threshold-time <duration, default 30s>]\n" +
        "  (Felix at FELIX_HEALTHHOST:FELIX_HEALTHPORT, default localhost:9099; BIRD at <state-dir>/bird.ctl).\n";

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad argument or variable and its value.</summary>
    public static NodeSettings Parse(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, string osHostname)
    {
        string felixConfig = DefaultFelixConfigPath;
        string stateDir = DefaultStateDir;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            switch (arg)
            {
                case "--felix-config" or "--state-dir":
                    if (i + 1 >= args.Count || args[i + 1].Length == 0)
                    {
                        throw new ArgumentException($"calico-node: {arg} needs a value");
                    }

                    if (arg == "--felix-config")
                    {
                        felixConfig = args[++i];
                    }
                    else
                    {
                        stateDir = args[++i];
                    }

                    break;
                case "run" or "-felix":
                    break; // upstream's calico-node runs Felix with -felix; accepted for familiarity
                default:
                    throw new ArgumentException($"calico-node: unknown argument '{arg}'");
            }
        }

        // Upstream: NODENAME, else HOSTNAME, else the OS hostname; names are lower-cased.
        string nodeName = (Get(environment, "NODENAME") ?? Get(environment, "HOSTNAME") ?? osHostname).Trim().ToLowerInvariant();
        if (nodeName.Length == 0 || nodeName.Length > 253 || !IsDnsName(nodeName))
        {
            throw new ArgumentException($"calico-node: NODENAME='{nodeName}' is not a valid node name (lower-case DNS name, at most 253 characters)");
        }

        string ip = Get(environment, "IP") ?? "autodetect";
        string? address = null;
        bool autodetect = false;
        if (ip.Equals("autodetect", StringComparison.OrdinalIgnoreCase))
        {
            autodetect = true;
        }
        else if (!ip.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            address = NormaliseAddress(ip) ?? throw new ArgumentException($"calico-node: IP='{ip}' is not an IPv4 address, 'autodetect' or 'none'");
        }

        // Upstream: IP6 unset or "none" means no IPv6 address for BGP; an address (CIDR form) is used as given.
        string ip6 = Get(environment, "IP6") ?? "none";
        string? address6 = null;
        bool autodetect6 = ip6.Equals("autodetect", StringComparison.OrdinalIgnoreCase);
        if (!ip6.Equals("none", StringComparison.OrdinalIgnoreCase) && !autodetect6)
        {
            address6 = NormaliseAddress6(ip6) ?? throw new ArgumentException($"calico-node: IP6='{ip6}' is not an IPv6 address, 'autodetect' or 'none'");
        }

        return new NodeSettings(nodeName, address, autodetect, address6, autodetect6, felixConfig, stateDir, environment)
        {
            DefaultPools = DefaultPoolPlan.Parse(environment),
            Bgp = BgpStartupSettings.Parse(environment, nodeName),
            BpfRoot = ParseBpfRoot(environment),
        };
    }

    /// <summary>
    /// <c>CALICO_BPF_ROOT</c>: the bpffs directory the eBPF dataplane pins its maps in (default /sys/fs/bpf/calico).
    /// Checked at start, bpfEnabled or not, so a bad value is not found only when the dataplane switches.
    /// </summary>
    internal static string ParseBpfRoot(IReadOnlyDictionary<string, string> environment)
    {
        string root = Linux.Bpf.BpfFilesystem.RootFrom(environment);
        if (!Path.IsPathFullyQualified(root) || root.Contains('\0', StringComparison.Ordinal))
        {
            throw EnvironmentValues.Bad(Linux.Bpf.BpfFilesystem.RootVariable, root, "expected an absolute directory path (a bpffs, or where calico-node mounts one)");
        }

        return Path.TrimEndingDirectorySeparator(root);
    }

    /// <summary>"10.0.0.5" or "10.0.0.5/24" → CIDR form as upstream stores it (a bare address gets /32).</summary>
    internal static string? NormaliseAddress(string text)
    {
        string[] parts = text.Split('/');
        if (parts.Length > 2 || !IPAddress.TryParse(parts[0], out IPAddress? address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            return null;
        }

        int length = 32;
        if (parts.Length == 2 && (!int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out length) || length > 32))
        {
            return null;
        }

        return address + "/" + length.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>"fd00::5" or "fd00::5/64" → CIDR form (a bare address gets /128).</summary>
    internal static string? NormaliseAddress6(string text)
    {
        string[] parts = text.Split('/');
        if (parts.Length > 2 || !IPAddress.TryParse(parts[0], out IPAddress? address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return null;
        }

        int length = 128;
        if (parts.Length == 2 && (!int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out length) || length > 128))
        {
            return null;
        }

        return address + "/" + length.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string? Get(IReadOnlyDictionary<string, string> environment, string name) =>
        environment.TryGetValue(name, out string? value) && value.Length > 0 ? value : null;

    private static bool IsDnsName(string name)
    {
        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-' || c == '.'))
            {
                return false;
            }
        }

        return char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1]);
    }
}
