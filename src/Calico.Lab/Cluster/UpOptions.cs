namespace Calico.Lab.Cluster;

/// <summary>
/// <c>calico-lab up</c>'s choices: how many hosts, which datastore, whether to start calico-node, whether to add
/// the top-of-rack router, how the pools' traffic crosses hosts (default VXLAN CrossSubnet, upstream's install
/// default: host3 sits across the fabric router, which knows no pod routes), and whether to run the flow aggregator
/// (never without calico-node: nothing would report to it), and which dataplane calico-node programs (nftables, or
/// the eBPF dataplane: see <see cref="LabBpf"/>).
/// </summary>
public sealed record UpOptions(
    int Hosts = 1, string Datastore = "embedded", bool NoNode = false, bool Tor = false, string Encapsulation = UpOptions.EncapsulationVxlanCrossSubnet, bool NoFlows = false)
{
    /// <summary>Whether <c>up</c> runs the flow aggregator and points every calico-node at it.</summary>
    public bool Flows => !NoNode && !NoFlows;

    /// <summary><c>--etcd-members</c>: how many etcd processes form the lab's cluster (null: not given, one).</summary>
    public int? EtcdMembers { get; init; }

    /// <summary><c>--dataplane</c>: <see cref="DataplaneNftables"/> (default) or <see cref="DataplaneBpf"/>.</summary>
    public string Dataplane { get; init; } = DataplaneNftables;

    /// <summary>Whether calico-node runs the eBPF dataplane (FelixConfiguration <c>bpfEnabled: true</c>, a bpffs per host).</summary>
    public bool Bpf => Dataplane == DataplaneBpf;

    public const int MaxHosts = 200;
    public const string EncapsulationNone = "none";
    public const string EncapsulationVxlan = "vxlan";
    public const string EncapsulationVxlanCrossSubnet = "vxlan-crosssubnet";
    public const string DataplaneNftables = "nftables";
    public const string DataplaneBpf = "bpf";

    public void Validate()
    {
        if (Hosts is < 1 or > MaxHosts)
        {
            throw new LabException($"--hosts {Hosts} is out of range (1-{MaxHosts})");
        }

        if (Datastore is not ("embedded" or "etcdv3"))
        {
            throw new LabException($"--datastore '{Datastore}' is not embedded or etcdv3");
        }

        VxlanMode(Encapsulation);
        ValidateDataplane(Dataplane);
        if (Bpf && NoNode)
        {
            throw new LabException($"--dataplane {DataplaneBpf} needs calico-node (it is what programs the eBPF dataplane): drop --no-node");
        }

        LabEtcd.ValidateMembers(EtcdMembers, Datastore);
    }

    /// <summary>A <c>--dataplane</c> value, or a <see cref="LabException"/> naming the flag and the value.</summary>
    public static string ValidateDataplane(string dataplane) => dataplane is DataplaneNftables or DataplaneBpf
        ? dataplane
        : throw new LabException($"--dataplane '{dataplane}' is not {DataplaneNftables} or {DataplaneBpf}");

    /// <summary>The vxlanMode of both pools (IPv4 and IPv6) for an <c>--encapsulation</c> value.</summary>
    public static string VxlanMode(string encapsulation) => encapsulation switch
    {
        EncapsulationNone => "Never",
        EncapsulationVxlan => "Always",
        EncapsulationVxlanCrossSubnet => "CrossSubnet",
        _ => throw new LabException($"--encapsulation '{encapsulation}' is not none, vxlan or vxlan-crosssubnet"),
    };
}
