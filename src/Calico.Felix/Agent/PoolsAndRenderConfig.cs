using Calico.Api;
using Calico.Felix.Rules;

namespace Calico.Felix.Agent;

/// <summary>
/// The agent's small calculation beside the graph: the IP pools' CIDRs (all, and those with natOutgoing) and the
/// render configuration, from <see cref="AgentInputs"/>. Each update says whether the dataplane must be rendered again.
/// </summary>
internal sealed class PoolsAndRenderConfig
{
    private readonly Func<AgentInputs, RenderConfig> _renderConfigFor;

    public PoolsAndRenderConfig(Func<AgentInputs, RenderConfig> renderConfigFor, AgentInputs inputs)
    {
        _renderConfigFor = renderConfigFor;
        Render = renderConfigFor(inputs);
    }

    public IReadOnlyList<string> AllPools { get; private set; } = [];

    public IReadOnlyList<string> MasqueradePools { get; private set; } = [];

    public RenderConfig Render { get; private set; }

    /// <summary>Enabled IPv4 pools with ipipMode Always or CrossSubnet (IP-in-IP's nftables rules).</summary>
    public IReadOnlyList<string> IpipPools { get; private set; } = [];

    /// <summary>Enabled pools (both families) with vxlanMode Always or CrossSubnet (the VXLAN NOTRACK rule).</summary>
    public IReadOnlyList<string> VxlanPools { get; private set; } = [];

    /// <summary>Every node's addresses, sorted (upstream's all-hosts set, for natOutgoingExclusions IPPoolsAndHostIPs).</summary>
    public IReadOnlyList<string> HostAddresses { get; private set; } = [];

    /// <summary>
    /// Recomputes the pools and the hosts' addresses when they changed; true when the CIDR lists differ from before, or
    /// the addresses do while the render configuration uses them.
    /// </summary>
    public bool UpdatePools(AgentInputs inputs) => UpdateHosts(inputs) | UpdatePoolCidrs(inputs);

    private bool UpdateHosts(AgentInputs inputs)
    {
        if (!inputs.TakeHostsChanged())
        {
            return false;
        }

        var hosts = inputs.HostAddresses.ToList();
        hosts.Sort(StringComparer.Ordinal);
        if (hosts.SequenceEqual(HostAddresses))
        {
            return false;
        }

        HostAddresses = hosts;
        return Render.NatOutgoing.ExcludeHostAddresses || (Render.IpipEnabled ?? IpipPools.Count > 0);
    }

    private bool UpdatePoolCidrs(AgentInputs inputs)
    {
        if (!inputs.TakePoolsChanged())
        {
            return false;
        }

        var all = new List<string>();
        var masq = new List<string>();
        var ipip = new List<string>();
        var vxlan = new List<string>();
        foreach (IPPool pool in inputs.Pools)
        {
            if (string.IsNullOrEmpty(pool.Spec.Cidr))
            {
                continue;
            }

            if (pool.Spec.IpipMode is "Always" or "CrossSubnet" && pool.Spec.Disabled != true && !pool.Spec.Cidr.Contains(':', StringComparison.Ordinal))
            {
                ipip.Add(pool.Spec.Cidr);
            }

            if (pool.Spec.VxlanMode is "Always" or "CrossSubnet" && pool.Spec.Disabled != true)
            {
                vxlan.Add(pool.Spec.Cidr);
            }

            all.Add(pool.Spec.Cidr);
            if (pool.Spec.NatOutgoing == true)
            {
                masq.Add(pool.Spec.Cidr);
            }
        }

        all.Sort(StringComparer.Ordinal);
        masq.Sort(StringComparer.Ordinal);
        ipip.Sort(StringComparer.Ordinal);
        vxlan.Sort(StringComparer.Ordinal);
        if (all.SequenceEqual(AllPools) && masq.SequenceEqual(MasqueradePools) && ipip.SequenceEqual(IpipPools) && vxlan.SequenceEqual(VxlanPools))
        {
            return false;
        }

        IpipPools = ipip;
        VxlanPools = vxlan;

        AllPools = all;
        MasqueradePools = masq;
        return true;
    }

    /// <summary>Recomputes the render configuration when its inputs changed; true when it differs from before.</summary>
    public bool UpdateRenderConfig(AgentInputs inputs)
    {
        if (!inputs.TakeConfigChanged())
        {
            return false;
        }

        RenderConfig next = _renderConfigFor(inputs);
        if (next == Render)
        {
            return false;
        }

        Render = next;
        return true;
    }
}
