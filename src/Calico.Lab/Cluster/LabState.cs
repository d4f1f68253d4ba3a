namespace Calico.Lab.Cluster;

/// <summary>
/// lab.json: everything a lab made, written as it is made, so every later command (and <c>down</c> after a crash)
/// works from it.
/// </summary>
public sealed class LabState
{
    public string Name { get; set; } = "";

    public string StateDir { get; set; } = "";

    /// <summary>Where calico-node, calico and calico-lab were found at <c>up</c>.</summary>
    public string BinDir { get; set; } = "";

    /// <summary><c>embedded</c> or <c>etcdv3</c>.</summary>
    public string DatastoreType { get; set; } = "embedded";

    public string? DatastorePath { get; set; }

    public string? EtcdEndpoints { get; set; }

    public LabProcess? Etcd { get; set; }

    /// <summary>The members of <c>up --etcd-members N</c> (N &gt; 1); empty with one member (<see cref="Etcd"/>).</summary>
    public List<LabEtcdMember> EtcdMembers { get; set; } = [];

    public bool NoNode { get; set; }

    /// <summary><c>none</c>, <c>vxlan</c> or <c>vxlan-crosssubnet</c>: the IPv4 pool's vxlanMode.</summary>
    public string Encapsulation { get; set; } = UpOptions.EncapsulationNone;

    /// <summary>
    /// <c>nftables</c> or <c>bpf</c> (<c>up --dataplane</c>); a lab.json written before the choice existed reads as
    /// nftables, the only dataplane then.
    /// </summary>
    public string Dataplane { get; set; } = UpOptions.DataplaneNftables;

    /// <summary>Whether the IPv6 pool exists (pods then get IPv6 addresses too).</summary>
    public bool Ipv6 { get; set; }

    /// <summary>Whether <c>up --tor</c> made the top-of-rack router; its BIRD process.</summary>
    public bool Tor { get; set; }

    public LabProcess? TorBird { get; set; }

    /// <summary>The flow aggregator and its relay (absent with <c>up --no-flows</c> or <c>--no-node</c>).</summary>
    public LabFlowsState? Flows { get; set; }

    public List<LabHost> Hosts { get; set; } = [];

    public List<LabPod> Pods { get; set; } = [];
}
