namespace Calico.Felix.Rules;

/// <summary>Which policies an endpoint chain evaluates, and so how it ends (see <c>NftablesRenderer.RenderEndpointChain</c>).</summary>
internal enum EndpointChainKind
{
    /// <summary>Normal policy and profiles: a workload's traffic, or a host endpoint's traffic to and from the host itself.</summary>
    Normal,

    /// <summary>applyOnForward policy: traffic forwarded through a host endpoint's interface.</summary>
    Forward,

    /// <summary>preDNAT policy: ingress through a host endpoint's interface, before DNAT.</summary>
    PreDnat,

    /// <summary>doNotTrack policy: a host endpoint's traffic before connection tracking.</summary>
    Untracked,
}
