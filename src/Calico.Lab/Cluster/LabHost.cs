namespace Calico.Lab.Cluster;

/// <summary>One host of a lab: its namespace, fabric addresses, directory, and its calico-node.</summary>
public sealed class LabHost
{
    public string Name { get; set; } = "";

    public string Netns { get; set; } = "";

    public string Address { get; set; } = "";

    public string Address6 { get; set; } = "";

    /// <summary>0 or 1: which of the fabric's subnets (see <see cref="FabricAddressing"/>).</summary>
    public int Subnet { get; set; }

    public string Directory { get; set; } = "";

    /// <summary>With <c>--dataplane bpf</c>: the host's own bpffs (<see cref="LabBpf"/>), calico-node's <c>CALICO_BPF_ROOT</c>.</summary>
    public string? BpfRoot { get; set; }

    public LabProcess? Node { get; set; }
}
