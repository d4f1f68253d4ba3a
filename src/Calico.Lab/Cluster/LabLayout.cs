using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Calico.Lab.Cluster;

/// <summary>
/// Names and places of one lab: namespaces <c>&lt;lab&gt;-fabric</c>, <c>&lt;lab&gt;-hostN</c>,
/// <c>&lt;lab&gt;-&lt;podns&gt;-&lt;pod&gt;</c>; state under the state directory (lab.json, calico.db, one directory per host).
/// </summary>
public sealed partial class LabLayout
{
    public const string DefaultName = "lab";
    public const string DefaultStateRoot = "/var/run/calico-lab";
    /// <summary>The fabric router on subnet 0 (where etcd listens).</summary>
    public const string FabricGateway = "172.30.0.1";

    /// <summary>Never overlaps upstream's default pool 192.168.0.0/16 nor the engine's 10.244.0.0/16.</summary>
    public const string PoolCidr = "10.65.0.0/16";
    public const string Pool6Cidr = "fd00:65::/48";
    public const string PoolName = "default-ipv4-ippool";
    public const string Pool6Name = "default-ipv6-ippool";

    /// <summary>Names <c>exec</c> takes besides pods (host names too).</summary>
    public const string Outside = "outside";
    public const string Tor = "tor";
    public const string Fabric = "fabric";

    /// <summary>Netns names are file names; kept short enough to read, hashed beyond that.</summary>
    private const int MaxNetnsName = 48;

    private LabLayout(string name, string stateDir)
    {
        Name = name;
        StateDir = stateDir;
    }

    public string Name { get; }

    public string StateDir { get; }

    public string StateFile => Path.Combine(StateDir, "lab.json");

    public string LockFile => Path.Combine(StateDir, "lab.lock");

    public string EmbeddedDatastorePath => Path.Combine(StateDir, "calico.db");

    public string EtcdDataDir => Path.Combine(StateDir, "etcd");

    public string FabricNetns => Name + "-fabric";

    /// <summary>Beyond the fabric router: what NAT-outgoing traffic reaches.</summary>
    public string OutsideNetns => Name + "-outside";

    /// <summary>The top-of-rack router (<c>up --tor</c>), running BIRD.</summary>
    public string TorNetns => Name + "-tor";

    public string TorDir => Path.Combine(StateDir, "tor");

    /// <summary>The flow aggregator's directory: its log, the link it runs through, the relay's log and ports.</summary>
    public string FlowsDir => Path.Combine(StateDir, "flows");

    public string FlowsLog => Path.Combine(FlowsDir, "goldmane.log");

    /// <summary>Where <c>calico-lab relay</c> writes its loopback endpoints (gRPC, then web), one a line.</summary>
    public string FlowsRelayPortsFile => Path.Combine(FlowsDir, "relay.ports");

    public string TorConfig => Path.Combine(TorDir, "bird.cfg");

    public string TorSocket => Path.Combine(TorDir, "bird.ctl");

    /// <summary>Every namespace of this lab starts with this (how <c>down</c> finds them without lab.json).</summary>
    public string NetnsPrefix => Name + "-";

    /// <summary>Throws <see cref="LabException"/> naming a bad lab name.</summary>
    public static LabLayout Create(string? name, string? stateDir)
    {
        name ??= DefaultName;
        if (!LabNamePattern().IsMatch(name))
        {
            throw new LabException($"--name '{name}' is not a lab name (lower-case letters, digits and '-', starting with a letter, at most 20 characters)");
        }

        stateDir = Path.GetFullPath(stateDir ?? Path.Combine(DefaultStateRoot, name));
        return new LabLayout(name, stateDir);
    }

    public static string HostName(int index) => string.Create(CultureInfo.InvariantCulture, $"host{index}");

    public string HostNetns(string host) => Name + "-" + host;

    public string HostDir(string host) => Path.Combine(StateDir, host);

    /// <summary>calico-node puts BIRD's control socket in its state directory, which is the host's directory.</summary>
    public static string BirdSocket(LabHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return Path.Combine(host.Directory, "bird.ctl");
    }

    /// <summary><c>&lt;lab&gt;-&lt;podns&gt;-&lt;pod&gt;</c>, or <c>&lt;lab&gt;-pod-&lt;hash&gt;</c> when that would be long.</summary>
    public string PodNetns(string ns, string pod)
    {
        var plain = $"{Name}-{ns}-{pod}";
        if (plain.Length <= MaxNetnsName)
        {
            return plain;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ns + "/" + pod)))[..12];
        return $"{Name}-pod-{hash}";
    }

    public static string NetnsPath(string netns) => "/var/run/netns/" + netns;

    [GeneratedRegex("^[a-z][a-z0-9-]{0,19}$")]
    private static partial Regex LabNamePattern();
}
