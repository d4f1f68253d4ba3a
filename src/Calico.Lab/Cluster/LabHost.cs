namespace Calico.Lab.Cluster;

/// <summary>One host of a lab: its namespace, fabric address, directory, and its calico-node.</summary>
public sealed class LabHost
{
    public string Name { get; set; } = "";

    public string Netns { get; set; } = "";

    public string Address { get; set; } = "";

    public string Directory { get; set; } = "";

    public LabProcess? Node { get; set; }
}
