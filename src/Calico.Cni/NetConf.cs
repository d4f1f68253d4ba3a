using System.Net;
using Microsoft.Extensions.Logging;

namespace Calico.Cni;

/// <summary>
/// The network configuration from stdin, with upstream's keys (<c>cni-plugin/pkg/types/types.go</c>) already
/// validated: every value here is one this plugin can act on.
/// </summary>
internal sealed record NetConf
{
    public required string CniVersion { get; init; }

    public required string Name { get; init; }

    public required string Type { get; init; }

    public IpamConf Ipam { get; init; } = new();

    /// <summary>etcdv3 or embedded (empty: etcdv3 when endpoints are set, else embedded).</summary>
    public string DatastoreType { get; init; } = "";

    public string EtcdEndpoints { get; init; } = "";

    public string? EtcdKeyFile { get; init; }

    public string? EtcdCertFile { get; init; }

    public string? EtcdCaCertFile { get; init; }

    public string? DatastorePath { get; init; }

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    public string LogFilePath { get; init; } = DefaultLogFilePath;

    public string? Nodename { get; init; }

    public string NodenameFile { get; init; } = DefaultNodenameFile;

    public string? Hostname { get; init; }

    public int Mtu { get; init; }

    /// <summary>
    /// calico-node's mtu file: <c>mtu</c> in the directory of <see cref="NodenameFile"/> (both are written to
    /// calico-node's state directory), so hosts sharing one filesystem, each with its own state directory, each read
    /// their own. Upstream reads <c>/var/lib/calico/mtu</c> always, which is the same file by default.
    /// </summary>
    public string MtuFile => Path.Combine(Path.GetDirectoryName(NodenameFile) ?? "", "mtu");

    public string IpamLockFile { get; init; } = DefaultIpamLockFile;

    public bool IpAddrsNoIpamEnabled { get; init; }

    /// <summary>policy.type: "" or "k8s" (profiles kns.&lt;ns&gt; for pods either way; "" also manages the network's profile).</summary>
    public string PolicyType { get; init; } = "";

    public CniArgsConf Args { get; init; } = new();

    /// <summary>runtimeConfig.ips (the <c>ips</c> capability).</summary>
    public IReadOnlyList<IPAddress> RuntimeIps { get; init; } = [];

    /// <summary>prevResult's addresses (CHECK compares them).</summary>
    public IReadOnlyList<IPNetwork> PrevResultIps { get; init; } = [];

    public bool HasPrevResult { get; init; }

    /// <summary>cni.dev/valid-attachments (GC), null when absent.</summary>
    public IReadOnlyList<(string ContainerId, string IfName)>? ValidAttachments { get; init; }

    /// <summary>require_mtu_file: ADD needs calico-node's mtu file to exist.</summary>
    public bool RequireMtuFile { get; init; }

    /// <summary>nodename_file_optional given as false: ADD needs the nodename file to exist.</summary>
    public bool NodenameFileRequired { get; init; }

    /// <summary>dns: copied into the ADD result.</summary>
    public CniDns? Dns { get; init; }

    /// <summary>Keys that are set but have no effect here, and why: logged as warnings.</summary>
    public IReadOnlyList<(string Key, string Why)> Ignored { get; init; } = [];

    public const string DefaultLogFilePath = "/var/log/calico/cni/cni.log";
    public const string DefaultNodenameFile = "/var/lib/calico/nodename";
    public const string DefaultIpamLockFile = "/var/run/calico/ipam.lock";
}

internal sealed record IpamConf
{
    public string Type { get; init; } = "";

    public bool AssignIpv4 { get; init; } = true;

    public bool AssignIpv6 { get; init; }

    public IReadOnlyList<string> IPv4Pools { get; init; } = [];

    public IReadOnlyList<string> IPv6Pools { get; init; } = [];
}

/// <summary><c>args.cni</c>: what a runtime without a Kubernetes API passes per workload.</summary>
internal sealed record CniArgsConf
{
    public IReadOnlyList<KeyValuePair<string, string>> Labels { get; init; } = [];

    public IReadOnlyList<NamedPort> Ports { get; init; } = [];

    /// <summary>args.cni.ips (CNI conventions).</summary>
    public IReadOnlyList<IPAddress> Ips { get; init; } = [];

    /// <summary>args.cni.ipAddrs: upstream's cni.projectcalico.org/ipAddrs (assigned through IPAM).</summary>
    public IReadOnlyList<IPAddress> IpAddrs { get; init; } = [];

    /// <summary>args.cni.ipAddrsNoIpam: upstream's cni.projectcalico.org/ipAddrsNoIpam (IPAM bypassed).</summary>
    public IReadOnlyList<IPAddress> IpAddrsNoIpam { get; init; } = [];

    /// <summary>args.cni.ipv4pools / ipv6pools: upstream's pool annotations; override ipam.ipv4_pools/ipv6_pools.</summary>
    public IReadOnlyList<string>? IPv4Pools { get; init; }

    public IReadOnlyList<string>? IPv6Pools { get; init; }

    /// <summary>args.cni.floatingIPs: upstream's cni.projectcalico.org/floatingIPs (needs feature_control.floating_ips).</summary>
    public IReadOnlyList<IPAddress> FloatingIps { get; init; } = [];

    /// <summary>args.cni.allowedSourcePrefixes: upstream's cni.projectcalico.org/allowedSourcePrefixes, normalised CIDRs.</summary>
    public IReadOnlyList<IPNetwork> AllowedSourcePrefixes { get; init; } = [];
}

internal sealed record NamedPort(string Name, string Protocol, ushort Port);
