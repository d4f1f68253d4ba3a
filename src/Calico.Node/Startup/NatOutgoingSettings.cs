using Calico.Felix.Calc.Model;
using Calico.Felix.Config;
using Calico.Felix.Rules;

namespace Calico.Node.Startup;

/// <summary>Felix's NAT outgoing parameters into the renderer's terms.</summary>
internal static class NatOutgoingSettings
{
    /// <summary>
    /// As upstream's NAT chain: a port range only when its maximum is above 0 (a named port never gets here: Felix's
    /// <c>portrange</c> parser refuses it), the address only for IPv4, the interface filter as written.
    /// </summary>
    public static NatOutgoingConfig From(FelixConfig config) => new()
    {
        SnatAddress = config.NatOutgoingAddress,
        PortRange = config.NatPortRange is { IsNamed: false, MaxPort: > 0 } range ? new PortRange(Math.Max((int)range.MinPort, 1), range.MaxPort) : null,
        ExcludeHostAddresses = config.NatOutgoingExclusions == NatOutgoingExclusions.IPPoolsAndHostIPs,
        InterfaceFilter = config.IptablesNatOutgoingInterfaceFilter,
        BpfPsnatPorts = config.BpfPsnatPorts is { IsNamed: false, MaxPort: > 0 } psnat ? new PortRange(Math.Max((int)psnat.MinPort, 1), psnat.MaxPort) : NatOutgoingConfig.DefaultBpfPsnatPorts,
    };
}
