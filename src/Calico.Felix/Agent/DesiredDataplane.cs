using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;

namespace Calico.Felix.Agent;

/// <summary>Everything the kernel should hold for this host, as of one batch.</summary>
/// <param name="State">The calculation graph's output so far (local endpoints, active policies, IP sets).</param>
/// <param name="AllPoolCidrs">Every IP pool's CIDR (v4 and v6).</param>
/// <param name="MasqueradePoolCidrs">CIDRs of pools with natOutgoing.</param>
/// <param name="Render">The Felix parameters rendering depends on.</param>
internal sealed record DesiredDataplane(
    DataplaneState State,
    IReadOnlyList<string> AllPoolCidrs,
    IReadOnlyList<string> MasqueradePoolCidrs,
    RenderConfig Render)
{
    /// <summary>Every node's addresses (NAT outgoing's host exclusion).</summary>
    public IReadOnlyList<string> HostAddresses { get; init; } = [];

    /// <summary>Enabled IPv4 pools with ipipMode Always or CrossSubnet (IP-in-IP's rules).</summary>
    public IReadOnlyList<string> IpipPoolCidrs { get; init; } = [];

    /// <summary>Enabled pools with vxlanMode Always or CrossSubnet.</summary>
    public IReadOnlyList<string> VxlanPoolCidrs { get; init; } = [];
}
