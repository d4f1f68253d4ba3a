using Calico.Nftables;

namespace Calico.Felix.Rules;

public static partial class NftablesRenderer
{
    /// <summary>
    /// Upstream's <c>VXLANEnabled</c> / <c>VXLANEnabledV6</c> (felix/calc encapsulation resolver): FelixConfiguration
    /// <c>vxlanEnabled</c> when set, else whether an enabled pool of that family has vxlanMode Always or CrossSubnet.
    /// </summary>
    public static (bool V4, bool V6) VxlanEnabled(RenderConfig config, NatInputs nat)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(nat);
        bool v4 = nat.VxlanPoolCidrs.Any(static c => !c.Contains(':', StringComparison.Ordinal));
        bool v6 = nat.VxlanPoolCidrs.Any(static c => c.Contains(':', StringComparison.Ordinal));
        return config.VxlanEnabled is { } on ? (on, on && v6) : (v4, v6);
    }

    /// <summary>
    /// Upstream's VXLAN NOTRACK rule (raw PREROUTING and raw OUTPUT, felix/rules/static.go): the tunnel's UDP packets
    /// (destination port <see cref="RenderConfig.VxlanPort"/>) are not tracked. The kernel picks the outer source port
    /// from a hash of the inner flow and each direction uses its own, so tracking them made two never-replied UDP
    /// entries per inner connection on each host (three conntrack entries per flow instead of one), for nothing: the
    /// inner flow is tracked when it is forwarded. Null when VXLAN is off for both families.
    /// </summary>
    private static NftRule? VxlanNoTrackRule(RenderConfig config, NatInputs nat)
    {
        var (v4, v6) = VxlanEnabled(config, nat);
        if (!v4 && !v6)
        {
            return null;
        }

        var statements = new List<NftStatement>(5);
        if (v4 != v6)
        {
            statements.Add(Match(NftField.MetaNfproto, v4 ? NftNfproto.Ipv4 : NftNfproto.Ipv6));
        }

        statements.Add(Match(NftField.MetaL4proto, NftProtocol.Named(17)));
        statements.Add(Match(NftField.ThDport, new NftPortRange(config.VxlanPort)));
        statements.Add(Counter);
        statements.Add(NftNoTrack.Instance);
        return Commented("Do not track VXLAN tunnel packets", [.. statements]);
    }

    /// <summary>raw-OUTPUT when no host endpoint needs one: only the VXLAN NOTRACK rule.</summary>
    private static NftChain VxlanRawOutputChain(NftRule noTrack) =>
        Chain(NftNames.RawOutput, [noTrack], RawOutputHeader, "VXLAN tunnel packets untracked");
}
