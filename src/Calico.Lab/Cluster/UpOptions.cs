namespace Calico.Lab.Cluster;

/// <summary>
/// <c>calico-lab up</c>'s choices: how many hosts, which datastore, whether to start calico-node, whether to add
/// the top-of-rack router, how the pools' traffic crosses hosts (default VXLAN CrossSubnet, upstream's install
/// default: host3 sits across the fabric router, which knows no pod routes), and whether to run the flow aggregator
/// (never without calico-node: nothing would report to it).
/// </summary>
public sealed record UpOptions(
    int Hosts = 1, string Datastore = "embedded", bool NoNode = false, bool Tor = false, string Encapsulation = UpOptions.EncapsulationVxlanCrossSubnet, bool NoFlows = false)
{
    /// <summary>Whether <c>up</c> runs the flow aggregator and points every calico-node at it.</summary>
    public bool Flows => !NoNode && !NoFlows;

    /// <summary><c>--etcd-members</c>: how many etcd processes form the lab's cluster (null: not given, one).</summary>
    public int? EtcdMembers { get; init; }

    public const int MaxHosts = 200;
    public const string EncapsulationNone = "none";
    public const string EncapsulationVxlan = "vxlan";
    public const string EncapsulationVxlanCrossSubnet = "vxlan-crosssubnet";

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
        LabEtcd.ValidateMembers(EtcdMembers, Datastore);
    }

    /// <summary>The vxlanMode of both pools (IPv4 and IPv6) for an <c>--encapsulation</c> value.</summary>
    public static string VxlanMode(string encapsulation) => encapsulation switch
    {
        EncapsulationNone => "Never",
        EncapsulationVxlan => "Always",
        EncapsulationVxlanCrossSubnet => "CrossSubnet",
        _ => throw new LabException($"--encapsulation '{encapsulation}' is not none, vxlan or vxlan-crosssubnet"),
    };
}
