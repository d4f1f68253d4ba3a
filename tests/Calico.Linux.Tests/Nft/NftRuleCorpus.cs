using System.Net;
using Calico.Nftables;
using static Calico.Linux.Tests.Nft.TypedRules;
using F = Calico.Nftables.NftField;

namespace Calico.Linux.Tests.Nft;

/// <summary>
/// Typed rules to encode: edge cases of nft's code generation (prefixes, ranges, merged payloads, anonymous and
/// concatenated sets, dependencies) beyond what the renderer emits (its golden rulesets have their own oracle in
/// Calico.Felix.Rules.Tests). <see cref="DeclarationScript"/> declares, empty, the sets, map and chain they refer to.
/// </summary>
internal static class NftRuleCorpus
{
    private const byte Tcp = 6;
    private const byte Udp = 17;
    private const byte Icmp = 1;

    public static IReadOnlyList<NftRule> EdgeCases { get; } =
    [
        R(Is(F.IpSaddr, Ip("10.0.0.1")), Counter, Accept),
        R(Not(F.IpSaddr, Ip("10.0.0.0/8")), Counter, Drop),
        R(Is(F.IpDaddr, Ip("10.1.128.0/17")), Counter, Accept),
        R(Not(F.IpDaddr, Ip("10.1.128.0/17")), Counter, Accept),
        R(Is(F.IpSaddr, Ip("0.0.0.0/0")), Counter, Accept),
        R(Is(F.Ip6Saddr, Ip("::/0")), Counter, Accept),
        R(Not(F.Ip6Daddr, Set(Ip("::/0"))), Counter, Accept),
        R(Is(F.Ip6Saddr, Set(Ip("::/0"), Ip("fd00::1"))), Counter, Accept),
        R(Is(F.Ip6Saddr, Set(Ip("fd00::/64"), Ip("fd01::1"), Ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))), Counter, Drop),
        R(Is(F.IpSaddr, Set(Ip("0.0.0.0/1"), Ip("128.0.0.0/1"))), Counter, Accept),
        R(Is(F.IpSaddr, Set(Ip("10.0.0.0/24"), Ip("10.0.1.0/24"), Ip("10.2.0.0/16"), Ip("10.2.3.0/24"))), Counter, Accept),
        R(Not(F.IpDaddr, Set(Ip("10.0.0.1"), Ip("10.0.0.2"))), Counter, Drop),
        R(Is(F.Ip6Daddr, Set(Ip("fd00::1"), Ip("fd00::2"))), Counter, Accept),
        R(Is(F.IpSaddr, Set(Ip("255.255.255.0/24"), Ip("10.0.0.0/8"))), Counter, Accept),
        R(Is(F.IpSaddr, At("edge-s4")), Not(F.IpDaddr, At("edge-s4")), Counter, Drop),
        R(Not(F.Ip6Saddr, At("edge-s6")), Counter, Drop),
        R(Is(F.ThDport, Port(80)), Counter, Accept),
        R(Not(F.ThSport, Port(22)), Counter, Accept),
        R(Is(F.ThDport, Ports(1000, 2000)), Counter, Accept),
        R(Not(F.ThDport, Ports(1000, 2000)), Counter, Accept),
        R(Is(F.ThDport, Set(Port(80), Port(443))), Counter, Accept),
        R(Not(F.ThDport, Set(Port(80), Port(443), Ports(1000, 2000))), Counter, Accept),
        R(Is(F.ThSport, Set(Ports(80, 90), Port(91), Port(100), Ports(0, 10))), Counter, Accept),
        R(Is(F.ThDport, Set(Ports(1, 65535))), Counter, Accept),
        R(Is(F.ThDport, Set(Port(65535), Port(1))), Counter, Accept),
        R(Is(F.MetaL4proto, Set(Proto(Tcp), Proto(Udp))), Counter, Accept),
        R(Not(F.MetaL4proto, Set(Proto(Tcp), Proto(Udp))), Counter, Drop),
        R(Is(F.MetaL4proto, Proto(47)), Counter, Accept),
        R(Is(F.MetaL4proto, Proto(132)), Is(F.ThDport, Port(9)), Counter, Accept),
        R(Is(F.MetaL4proto, Proto(136)), Counter, Accept),
        R(Not(F.MetaL4proto, Proto(58)), Counter, Accept),
        R(Is(F.MetaL4proto, Proto(Tcp)), Is(F.IpSaddr, Ip("10.0.0.0/8")), Counter, Accept),
        R(Is(F.IcmpType, N(8)), Counter, Accept),
        R(Not(F.IcmpType, N(8)), Counter, Accept),
        R(Is(F.IcmpType, Set(N(0), N(8))), Counter, Accept),
        R(Is(F.IcmpType, N(3)), Is(F.IcmpCode, N(4)), Counter, Accept),
        R(Is(F.MetaL4proto, Proto(Icmp)), Is(F.IcmpType, N(8)), Counter, Accept),
        R(Is([F.IcmpType, F.IcmpCode], Set(Cat(N(3), N(4)), Cat(N(3), N(1)))), Counter, Accept),
        R(Is(F.Icmpv6Type, N(128)), Counter, Accept),
        R(Not(F.Icmpv6Type, Set(N(1), N(2))), Counter, Accept),
        R(Is(F.Icmpv6Code, N(3)), Counter, Accept),
        R(Is(F.MetaNfproto, NftNfproto.Ipv4), Counter, Accept),
        R(Is(F.MetaNfproto, NftNfproto.Ipv6), Is(F.Ip6Daddr, Ip("fd00::/8")), Counter, Accept),
        R(Is([F.IpSaddr, F.MetaL4proto, F.ThDport], At("edge-p4")), Counter, Accept),
        R(Not([F.IpSaddr, F.MetaL4proto, F.ThDport], At("edge-p4")), Counter, Accept),
        R(Is([F.IpDaddr, F.MetaL4proto, F.ThSport], At("edge-p4")), Counter, Accept),
        R(Not([F.Ip6Saddr, F.MetaL4proto, F.ThDport], At("edge-p6")), Counter, Accept),
        R(Is([F.IpDaddr, F.MetaL4proto], At("calim4-edge-pp4")), Counter, Accept),
        R(Is([F.Ip6Saddr, F.MetaL4proto, F.ThDport], At("calim6-edge-ppp6")), Counter, Accept),
        R(new NftMarkMatch(0x10000, 0x10000), Counter, Accept),
        R(new NftMarkMatch(0x20000, 0, negated: true), Counter, Accept),
        R(Counter, new NftMarkSet(NftMarkOperation.Or, 0x10000), Return),
        R(Counter, new NftMarkSet(NftMarkOperation.And, 0xfffcffff)),
        R(Is(F.CtState, Ct(NftCtStates.Established | NftCtStates.Related)), Counter, Accept),
        R(Is(F.CtState, Ct(NftCtStates.Invalid)), Counter, Drop),
        R(Is(F.CtState, Ct(NftCtStates.New | NftCtStates.Untracked)), Counter, Accept),
        R(Is(F.IifName, If("eth0")), Counter, Accept),
        R(Not(F.OifName, If("cali*")), Counter, Drop),
        R(Is(F.IifName, If("a")), Is(F.OifName, If("veth-long-name1")), Counter, Accept),
        R(new NftVerdictMap(F.OifName, "edge-map")),
        R(Counter, NftVerdict.Jump("edge-target")),
        R(Counter, NftVerdict.Goto("edge-target")),
        R(Accept),
        R(Drop),
        R(Counter),
        R(Counter, new NftLog("calico-drop "), Drop),
        R(Counter, new NftLog("it's: a ")),
        R(Counter, new NftLog("API0|0123456789ABCDEF", 1), Accept),
        R(Counter, new NftLog("DTE|FEDCBA9876543210", 2), Drop),
        R(new NftLog(null, 7)),
        R(new NftLog("DRI", 1, snaplen: 128, queueThreshold: 16), Drop),
        R(new NftLog("group-only-snaplen ", 65535, snaplen: 64)),
        R(Counter, new NftLog(new string('x', 127), 3), Drop),
        Commented("NAT outgoing", Is(F.IpSaddr, At("edge-s4")), Counter, new NftMasquerade(fullyRandom: true)),
        R(Counter, new NftMasquerade(fullyRandom: false)),
        .. NatCases,
        Commented("with spaces, commas, 'quotes' and {braces}; and @ # $ %", Counter, Accept),
        Commented("x", Counter, Accept),
        R(Is(F.IpSaddr, Ip("10.0.0.1")), Is(F.IpDaddr, Ip("10.0.0.2")), Counter, Accept),
        R(Is(F.ThDport, Port(2)), Is(F.ThSport, Port(1)), Counter, Accept),
        R(Is(F.ThDport, Port(80)), Not(F.ThSport, Port(1)), Counter, Accept),
        R(Is(F.ThDport, Set(Port(80))), Is(F.ThSport, Set(Port(1))), Counter, Accept),
        R(Is(F.ThSport, Ports(1, 2)), Is(F.ThDport, Port(3)), Counter, Accept),
        R(Is(F.IpSaddr, Ip("1.2.3.4")), Counter, Is(F.IpDaddr, Ip("5.6.7.8")), Accept),
        R(Is(F.IpSaddr, Ip("10.0.0.0/24")), Is(F.IpDaddr, Ip("10.0.0.0/8")), Counter, Accept),
        R(Is(F.IpSaddr, Ip("10.0.0.0/8")), Is(F.IpDaddr, Ip("1.2.3.4")), Is(F.ThDport, Port(1)), Is(F.ThSport, Port(2)), Counter, Accept),
        R(Is(F.IcmpCode, N(0)), Is(F.IpSaddr, Ip("1.2.3.4")), Is(F.IcmpType, N(3)), Counter, Accept),
        R(Is(F.Icmpv6Type, N(1)), Is(F.Icmpv6Code, N(0)), Counter, Accept),
        R(Is(F.IpSaddr, Ip("1.2.3.4")), Is(F.IpDaddr, Ip("10.1.128.0/17")), Counter, Accept),
        R(Is(F.Icmpv6Code, Set(N(0), N(1))), Counter, Accept),
        R(Is(F.IcmpCode, Set(N(0), N(1))), Counter, Accept),
        R(Is(F.MetaNfproto, NftNfproto.Ipv4), Is([F.IpSaddr, F.MetaL4proto, F.ThDport], Set(Cat(Ip("10.0.0.1"), Proto(Tcp), Port(80)), Cat(Ip("10.0.0.2"), Proto(Udp), Port(53)))), Counter, Accept),
        R(Not([F.Ip6Daddr, F.MetaL4proto], Set(Cat(Ip("fd00::1"), Proto(Tcp)), Cat(Ip("fd00::2"), Proto(47)))), Counter, Drop),
        R(Is([F.MetaL4proto, F.ThDport], Set(Cat(Proto(Tcp), Port(80)), Cat(Proto(Udp), Port(53)))), Counter, Accept),
        R(Is([F.ThSport, F.ThDport], Set(Cat(Port(1), Port(2)))), Counter, Accept),
        R(Not(F.CtState, Ct(NftCtStates.Established)), Counter, Drop),
        R(Not(F.MetaNfproto, NftNfproto.Ipv6), Counter, Accept),
        R(Not(F.IifName, If("eth0")), Is(F.OifName, If("cali*")), Counter, Accept),
        R(new NftMarkMatch(0x30000, 0x10000), Counter, Accept),
        R(new NftFib(NftFibFlags.Saddr | NftFibFlags.Iif, exists: false), Counter, Drop),
        R(new NftFib(NftFibFlags.Saddr | NftFibFlags.Iif, exists: true), Counter, Accept),
        R(new NftFib(NftFibFlags.Daddr, exists: false), Drop),
        R(new NftFibLocalDestination(negated: true), Counter, Accept),
        R(Is(F.Ip6Daddr, Ip("fd00::/64")), new NftFibLocalDestination(negated: false), Counter, Drop),
        R(new NftFib(NftFibFlags.Daddr | NftFibFlags.Mark, exists: true), Accept),
        R(Is(F.MetaNfproto, NftNfproto.Ipv6), new NftFib(NftFibFlags.Saddr | NftFibFlags.Mark | NftFibFlags.Iif, exists: false), Counter, Drop),
        R(Is(F.IifName, If("cali*")), Not(F.Ip6Saddr, Ip("::")), new NftFib(NftFibFlags.Saddr | NftFibFlags.Iif, exists: false), Counter, Drop),
        Commented(new string('7', 128), Counter, Drop),
    ];

    /// <summary>Every NAT statement form: snat/dnat of each family, with a port or range, each flag; masquerade with ports.</summary>
    private static NftRule[] NatCases =>
    [
        R(NftNat.Snat(IPAddress.Parse("1.2.3.4"))),
        R(Is(F.MetaL4proto, Proto(Tcp)), NftNat.Snat(IPAddress.Parse("1.2.3.4"), Ports(1024, 65535), NftNatFlags.FullyRandom)),
        R(Is(F.MetaL4proto, Proto(Udp)), NftNat.Snat(IPAddress.Parse("1.2.3.4"), Port(80))),
        R(Is(F.IpSaddr, At("edge-s4")), Counter, NftNat.Snat(IPAddress.Parse("10.9.8.7"), flags: NftNatFlags.Persistent)),
        R(NftNat.Snat(IPAddress.Parse("1.2.3.4"), flags: NftNatFlags.Random | NftNatFlags.Persistent)),
        R(Is(F.MetaL4proto, Proto(Tcp)), NftNat.Snat(IPAddress.Parse("1.2.3.4"), Ports(1, 2), NftNatFlags.Random | NftNatFlags.FullyRandom | NftNatFlags.Persistent)),
        R(NftNat.Snat(IPAddress.Parse("fd00::1"), flags: NftNatFlags.FullyRandom)),
        R(Is(F.MetaL4proto, Proto(Tcp)), NftNat.Snat(IPAddress.Parse("fd00::1"), Ports(1024, 65535), NftNatFlags.FullyRandom)),
        R(Is(F.Ip6Saddr, At("edge-s6")), Is(F.MetaL4proto, Proto(Udp)), NftNat.Snat(IPAddress.Parse("2001:db8::5"), Port(53))),
        R(Is(F.IpDaddr, Ip("172.16.0.9")), NftNat.Dnat(IPAddress.Parse("10.0.0.5"))),
        R(Is(F.MetaL4proto, Proto(Tcp)), Is(F.ThDport, Port(80)), NftNat.Dnat(IPAddress.Parse("10.0.0.5"), Port(8080))),
        R(Is(F.Ip6Daddr, Ip("fd00::9")), Counter, NftNat.Dnat(IPAddress.Parse("fd00::5"))),
        R(Is(F.MetaL4proto, Proto(Tcp)), NftNat.Dnat(IPAddress.Parse("fd00::5"), Ports(8080, 8090), NftNatFlags.Persistent)),
        R(Is(F.MetaL4proto, Proto(Tcp)), new NftMasquerade(Ports(1024, 65535), NftNatFlags.None)),
        R(Is(F.MetaL4proto, Proto(Udp)), new NftMasquerade(Ports(1024, 65535), NftNatFlags.FullyRandom)),
        R(Is(F.MetaL4proto, Proto(Tcp)), new NftMasquerade(Port(80), NftNatFlags.Random)),
        R(new NftMasquerade(null, NftNatFlags.FullyRandom | NftNatFlags.Persistent)),
        Commented("NAT outgoing", Is(F.IpSaddr, At("edge-s4")), Not(F.IpDaddr, At("edge-s4")), Is(F.MetaL4proto, Proto(Tcp)), Is(F.OifName, If("eth*")), Counter, new NftMasquerade(Ports(1024, 65535), NftNatFlags.FullyRandom)),
    ];

    /// <summary><c>nft -f</c> text declaring, inside <c>table inet calico</c>, the edge-* sets, map and chain.</summary>
    public static string DeclarationScript() =>
        "table inet calico {\n"
        + "  set edge-s4 { type ipv4_addr; flags interval; }\n"
        + "  set edge-s6 { type ipv6_addr; flags interval; }\n"
        + "  set edge-p4 { type ipv4_addr . inet_proto . inet_service; }\n"
        + "  set edge-p6 { type ipv6_addr . inet_proto . inet_service; }\n"
        + "  set calim4-edge-pp4 { type ipv4_addr . inet_proto; flags interval; }\n"
        + "  set calim6-edge-ppp6 { type ipv6_addr . inet_proto . inet_service; flags interval; }\n"
        + "  map edge-map { type ifname : verdict; }\n"
        + "  chain edge-target { }\n"
        + "}\n";
}
