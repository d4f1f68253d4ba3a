namespace Calico.Lab.Cluster;

/// <summary>One workload: a Kubernetes-style pod in its own namespace, wired by the CNI plugin on a host.</summary>
public sealed class LabPod
{
    public string Namespace { get; set; } = "";

    public string Name { get; set; } = "";

    public string Host { get; set; } = "";

    public string Netns { get; set; } = "";

    public string ContainerId { get; set; } = "";

    public string Address { get; set; } = "";

    /// <summary>Its IPv6 address when the lab has an IPv6 pool, else empty.</summary>
    public string Address6 { get; set; } = "";

    public string EndpointName { get; set; } = "";

    /// <summary>What its listener serves, e.g. <c>TCP/80</c>.</summary>
    public List<string> Serve { get; set; } = [];

    public LabProcess? Listener { get; set; }

    /// <summary>Its published ports (<c>--publish</c>), handed to the portmap plugin at ADD and again at DEL.</summary>
    public List<PortMapping> Publish { get; set; } = [];

    public string Id => Namespace + "/" + Name;
}
