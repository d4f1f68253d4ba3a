using System.Net.Sockets;
using Calico.Nftables;
using static Calico.Linux.Nft.NfTablesNatAttributes;

namespace Calico.Linux.Nft;

/// <summary>
/// The NAT statements as nft 1.0.6 sends them (<c>nft --debug=mnl</c>): the address loaded by <c>immediate</c> into
/// register 1, the ports (2 bytes each, network order) into the next registers, then <c>nat</c> or <c>masq</c> naming
/// those registers. A single port names only proto_min (the kernel copies it to proto_max). The flags sent are the
/// statement's (random 0x4, persistent 0x8, fully-random 0x10) plus 0x2 when ports are given; the kernel adds
/// map-ips (0x1) itself for an address. No family dependency is added (<c>snat ip to</c> in an inet table matches
/// nothing first), and ports need a transport protocol matched before, as nft insists.
/// </summary>
internal sealed partial class NfTablesRuleEncoder
{
    private void EncodeNat(NftNat nat)
    {
        if (_network != 0 && _network != nat.Family)
        {
            throw new UnsupportedException($"'{nat}' conflicts with the IPv{_network} match before it");
        }

        byte[] address = nat.Address.GetAddressBytes();
        _expressions.Add(NftExpression.ImmediateData(NftExpression.Register1, address));
        (uint protoMin, uint protoMax) = LoadNatPorts(nat.Ports, firstRegister: 2, nat);
        _expressions.Add(NftExpression.Nat(
            nat.Kind == NftNatKind.Snat ? NFT_NAT_SNAT : NFT_NAT_DNAT,
            nat.Address.AddressFamily == AddressFamily.InterNetwork ? NFPROTO_IPV4 : NFPROTO_IPV6,
            NftExpression.Register1,
            protoMin,
            protoMax,
            NatFlags(nat.Flags, nat.Ports)));
    }

    private void EncodeMasquerade(NftMasquerade masquerade)
    {
        (uint protoMin, uint protoMax) = LoadNatPorts(masquerade.Ports, firstRegister: 1, masquerade);
        uint flags = NatFlags(masquerade.Flags, masquerade.Ports);
        _expressions.Add(masquerade.Ports is null
            ? NftExpression.Masquerade(flags)
            : NftExpression.MasqueradePorts(flags, protoMin, protoMax));
    }

    /// <summary>Loads the ports into <paramref name="firstRegister"/> (and the next for a range); the registers named.</summary>
    private (uint ProtoMin, uint ProtoMax) LoadNatPorts(NftPortRange? ports, uint firstRegister, NftStatement statement)
    {
        if (ports is null)
        {
            return (0, 0);
        }

        if (_transport < 0)
        {
            throw new UnsupportedException($"'{statement}' maps ports without a meta l4proto match before it");
        }

        _expressions.Add(NftExpression.ImmediateData(firstRegister, PortBytes(ports.First)));
        if (ports.IsSingle)
        {
            return (firstRegister, 0);
        }

        _expressions.Add(NftExpression.ImmediateData(firstRegister + 1, PortBytes(ports.Last)));
        return (firstRegister, firstRegister + 1);
    }

    private static byte[] PortBytes(ushort port) => [(byte)(port >> 8), (byte)port];

    private static uint NatFlags(NftNatFlags flags, NftPortRange? ports)
    {
        uint wire = ports is null ? 0 : NF_NAT_RANGE_PROTO_SPECIFIED;
        if ((flags & NftNatFlags.Random) != 0)
        {
            wire |= NF_NAT_RANGE_PROTO_RANDOM;
        }

        if ((flags & NftNatFlags.FullyRandom) != 0)
        {
            wire |= NfTablesRuleAttributes.NF_NAT_RANGE_PROTO_RANDOM_FULLY;
        }

        if ((flags & NftNatFlags.Persistent) != 0)
        {
            wire |= NF_NAT_RANGE_PERSISTENT;
        }

        return wire;
    }
}
