using System.Collections.Immutable;
using System.Net;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;

namespace Calico.Felix.Bpf.Tests;

/// <summary>The decoders are the encoders' inverse: bytes -> value -> the same bytes, and a wrong size names the struct.</summary>
[Trait("Tier", "Unit")]
public sealed class BpfMapLayoutReadTests
{
    private static readonly FlatRuleOrigin Origin = new(FlatRuleOriginKind.PolicyRule, "default.p", 0);

    public static TheoryData<string> Rules => new()
    {
        "allow",
        "deny-all-fields",
        "goto",
        "next",
        "log-not-icmp",
        "run-dst-any-proto",
        "run-src",
    };

    private static FlatRule Rule(string name) => name switch
    {
        "allow" => new FlatRule { Action = FlatAction.Allow, Origin = Origin },
        "deny-all-fields" => new FlatRule
        {
            Action = FlatAction.Deny,
            IpVersion = 6,
            Protocol = 17,
            NotProtocol = 6,
            IcmpType = 8,
            IcmpCode = 0,
            SrcSets = [1, 2],
            NotSrcSets = [3],
            DstSets = [4, 5],
            NotDstSets = [6, 7],
            SrcPorts = [new PortRange(1, 1), new PortRange(10, 20), new PortRange(30, 30), new PortRange(65535, 65535)],
            NotSrcPorts = [new PortRange(0, 0)],
            DstPorts = [new PortRange(80, 80), new PortRange(443, 443)],
            NotDstPorts = [new PortRange(1000, 2000), new PortRange(3000, 3000), new PortRange(4000, 4000)],
            Origin = Origin,
        },
        "goto" => new FlatRule { Action = FlatAction.Goto, Jump = 42, IpVersion = 4, Origin = Origin },
        "next" => new FlatRule { Action = FlatAction.Next, Jump = 7, DstSets = [9], Origin = Origin },
        "run-dst-any-proto" => new FlatRule { Action = FlatAction.Allow, Run = 12, RunOnDestination = true, RunAnyProtocol = true, Origin = Origin },
        "run-src" => new FlatRule { Action = FlatAction.Deny, Run = 3, Origin = Origin },
        _ => new FlatRule { Action = FlatAction.Log, Protocol = 1, NotIcmpType = 3, NotIcmpCode = 4, Origin = Origin },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void ReadRuleValue_OfAnEncodedRule_GivesTheRuleAndItsBytesBack(string name)
    {
        FlatRule rule = Rule(name);
        byte[] bytes = BpfMapLayout.RuleValue(rule);

        FlatRule read = BpfMapLayout.ReadRuleValue(bytes);

        Assert.Equal((rule with { Origin = BpfMapLayout.ReadOrigin }).Describe(), read.Describe());
        Assert.Equal(bytes, BpfMapLayout.RuleValue(read));
    }

    [Fact]
    public void ReadRuleValue_RefusesAPortCountPastTheSlotsAndAWrongSize()
    {
        byte[] bytes = BpfMapLayout.RuleValue(Rule("allow"));
        bytes[12] = 5;
        Assert.Contains("n_dst_ports 5", Assert.Throws<ArgumentException>(() => BpfMapLayout.ReadRuleValue(bytes)).Message, StringComparison.Ordinal);
        Assert.Contains("struct cali_rule is 120 bytes, not 119", Assert.Throws<ArgumentException>(() => BpfMapLayout.ReadRuleValue(new byte[119])).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(EndpointToHostAction.Drop)]
    [InlineData(EndpointToHostAction.Return)]
    [InlineData(EndpointToHostAction.Accept)]
    public void ReadEndpointValue_GivesTheEncodedEntryBack(EndpointToHostAction toHost)
    {
        byte[] bytes = BpfMapLayout.EndpointValue(BpfMapLayout.EndpointWorkload, 11, 12, toHost);

        var read = BpfMapLayout.ReadEndpointValue(bytes);

        Assert.Equal(new BpfEndpointValue(BpfMapLayout.EndpointWorkload, 11, 12, toHost), read);
        Assert.Equal(bytes, BpfMapLayout.EndpointValue(read.Flags, read.IngressTable, read.EgressTable, read.ToHostAction));
        Assert.Equal(77u, BpfMapLayout.ReadEndpointKey(BpfMapLayout.EndpointKey(77)));
    }

    [Fact]
    public void ReadEndpointValue_RefusesAnUnknownToHostAction()
    {
        byte[] bytes = BpfMapLayout.EndpointValue(1, 1, 2, EndpointToHostAction.Drop);
        bytes[12] = 9;
        Assert.Contains("to_host_action 9", Assert.Throws<ArgumentException>(() => BpfMapLayout.ReadEndpointValue(bytes)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TableOfTcHook_WorkloadTcIngressIsItsEgressPolicy_HostEndpointsFaceTheOtherWay()
    {
        var workload = new BpfEndpointValue(BpfMapLayout.EndpointWorkload, IngressTable: 1, EgressTable: 2, EndpointToHostAction.Drop);
        var host = workload with { Flags = BpfMapLayout.EndpointHost };

        Assert.Equal((2u, 1u), (workload.TableOfTcHook(tcIngress: true), workload.TableOfTcHook(tcIngress: false)));
        Assert.Equal((1u, 2u), (host.TableOfTcHook(tcIngress: true), host.TableOfTcHook(tcIngress: false)));
    }

    [Theory]
    [InlineData("10.65.0.3", 80, "10.65.0.2", 40000, 6, "10.65.0.2", 40000, "10.65.0.3", 80)]
    [InlineData("fd00::2", 5353, "fd00::1", 53, 17, "fd00::1", 53, "fd00::2", 5353)]
    public void ReadConntrackKey_GivesTheNormalisedEnds(string src, int sport, string dst, int dport, byte protocol, string low, int lowPort, string high, int highPort)
    {
        byte[] key = BpfMapLayout.ConntrackKey(IPAddress.Parse(src), (ushort)sport, IPAddress.Parse(dst), (ushort)dport, protocol);

        var read = BpfMapLayout.ReadConntrackKey(key);

        Assert.Equal(new ConntrackTuple(IPAddress.Parse(low), (ushort)lowPort, IPAddress.Parse(high), (ushort)highPort, protocol, (byte)(low.Contains(':', StringComparison.Ordinal) ? 6 : 4)), read);
        Assert.Equal(key, BpfMapLayout.ConntrackKey(read.Low, read.LowPort, read.High, read.HighPort, read.Protocol));
    }

    [Theory]
    [InlineData("10.65.0.0/24")]
    [InlineData("fd00:65::3/128")]
    public void ReadIpSetKey_GivesTheSetAndMemberBack(string cidr)
    {
        IpSetMember member = IpSetMember.Parse(cidr);
        byte[] key = BpfMapLayout.IpSetKey(9, member);

        var (set, read) = BpfMapLayout.ReadIpSetKey(key);

        Assert.Equal(9u, set);
        Assert.Equal((member.Family, member.PrefixLength), (read.Family, read.PrefixLength));
        Assert.Equal(member.Address, read.Address);
        Assert.Equal(key, BpfMapLayout.IpSetKey(set, read));
    }

    [Theory]
    [InlineData("10.65.0.0/16", 6)]
    [InlineData("fd00::/8", 256)]
    public void ReadRunKey_GivesRunProtocolAndPrefixBack(string cidr, int protocol)
    {
        IpSetMember prefix = IpSetMember.Parse(cidr);
        byte[] key = BpfMapLayout.RunKey(4, (ushort)protocol, prefix);

        var (run, readProtocol, read) = BpfMapLayout.ReadRunKey(key);

        Assert.Equal((4u, (ushort)protocol), (run, readProtocol));
        Assert.Equal(key, BpfMapLayout.RunKey(run, readProtocol, read));
    }

    [Fact]
    public void ReadRuleKey_GivesTableAndIndexBack()
    {
        Assert.Equal((5u, 1_000u), BpfMapLayout.ReadRuleKey(BpfMapLayout.RuleKey(5, 1_000)));
        Assert.Contains("cali_rule_key", Assert.Throws<ArgumentException>(() => BpfMapLayout.ReadRuleKey(new byte[4])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadOrigin_SaysTheRuleWasReadFromTheMap()
    {
        var rule = new FlatRule { Action = FlatAction.Deny, SrcSets = ImmutableArray.Create(1u), Origin = BpfMapLayout.ReadOrigin };
        Assert.Equal("deny src-sets=1 (read from cali_rules)", rule.Describe());
    }
}
