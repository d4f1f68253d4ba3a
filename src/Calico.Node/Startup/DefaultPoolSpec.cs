using Calico.Api;

namespace Calico.Node.Startup;

/// <summary>
/// One default pool as the start-up variables describe it (upstream's <c>createIPPool</c> arguments). A null
/// <paramref name="Cidr"/> is chosen when the pool is created: IPv4 192.168.0.0/16 or a free 172.16-31.0.0/16,
/// IPv6 a random ULA /48.
/// </summary>
internal sealed record DefaultPoolSpec(
    string Name,
    int Version,
    string? Cidr,
    int BlockSize,
    string IpipMode,
    string VxlanMode,
    bool NatOutgoing,
    string NodeSelector,
    bool DisableBgpExport)
{
    public IPPool ToIPPool(string cidr) => new()
    {
        Metadata = { Name = Name },
        Spec = new IPPoolSpec
        {
            Cidr = cidr,
            IpipMode = IpipMode,
            VxlanMode = VxlanMode,
            NatOutgoing = NatOutgoing,
            BlockSize = BlockSize,
            NodeSelector = NodeSelector.Length == 0 ? "all()" : NodeSelector,
            DisableBGPExport = DisableBgpExport,
        },
    };
}
