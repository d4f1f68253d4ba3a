using Calico.Felix.Calc.Model;
using static Calico.Reachability.Tests.StateBuilder;

namespace Calico.Reachability.Tests;

/// <summary>One rule in one policy on x/a (10.0.0.1); is a packet to it from 10.0.0.2 allowed?</summary>
[Trait("Tier", "Unit")]
public sealed class RuleMatchTests
{
    private static bool Allowed(RuleModel rule, Packet packet, Action<StateBuilder>? setup = null)
    {
        var p = Np("x", "p");
        var b = new StateBuilder().Profile("kns.x", AllowAll);
        setup?.Invoke(b);
        b.Policy(p, inbound: [rule with { Action = RuleAction.Allow }])
            .Endpoint("x", "a", "10.0.0.1", [Tier("default", ingress: [p])], "kns.x");
        return new PolicyEvaluator(b.State).EvaluateFlow(packet).Allowed;
    }

    private static Packet In(int protocol = Packet.Tcp, int dstPort = 80, string src = "10.0.0.2", int srcPort = 40000) =>
        Packet.Create(src, "10.0.0.1", protocol, srcPort, dstPort);

    [Theory]
    [InlineData(80, true)]
    [InlineData(81, false)]
    [InlineData(90, true)]
    [InlineData(100, true)]
    [InlineData(101, false)]
    public void Ports_SingleOrRange(int port, bool allowed) =>
        Assert.Equal(allowed, Allowed(new RuleModel { Protocol = Packet.Tcp, DstPorts = [new PortRange(80, 80), new PortRange(90, 100)] }, In(dstPort: port)));

    [Theory]
    [InlineData(80, true)]
    [InlineData(81, false)]
    public void NotPorts_Excluded(int port, bool allowed) =>
        Assert.Equal(allowed, Allowed(new RuleModel { Protocol = Packet.Tcp, NotDstPorts = [new PortRange(81, 81)] }, In(dstPort: port)));

    [Theory]
    [InlineData(Packet.Tcp, true)]
    [InlineData(Packet.Udp, false)]
    public void Protocol_MustMatch(int protocol, bool allowed) =>
        Assert.Equal(allowed, Allowed(new RuleModel { Protocol = Packet.Tcp }, In(protocol)));

    [Theory]
    [InlineData(Packet.Tcp, false)]
    [InlineData(Packet.Udp, true)]
    public void NotProtocol_Excluded(int protocol, bool allowed) =>
        Assert.Equal(allowed, Allowed(new RuleModel { NotProtocol = Packet.Tcp }, In(protocol)));

    [Theory]
    [InlineData("10.0.0.2", true)]
    [InlineData("10.0.0.3", false)]
    [InlineData("10.0.1.2", false)]
    public void Nets_AnyOfMinusNotNets(string src, bool allowed) =>
        Assert.Equal(allowed, Allowed(new RuleModel { SrcNets = ["10.0.0.7/24"], NotSrcNets = ["10.0.0.3"] }, In(src: src)));

    [Theory]
    [InlineData("10.0.0.2", true)]
    [InlineData("10.0.0.3", false)]
    [InlineData("10.0.0.4", false)]
    public void IpSets_AllOfAndNoneOf(string src, bool allowed) =>
        Assert.Equal(allowed, Allowed(new RuleModel { SrcIpSetIds = ["s:a", "s:b"], NotSrcIpSetIds = ["s:n"] }, In(src: src),
            b => b.IpSet("s:a", "10.0.0.0/24").IpSet("s:b", "10.0.0.2/32", "10.0.0.3/32").IpSet("s:n", "10.0.0.3/32")));

    [Theory]
    [InlineData(80, true)]
    [InlineData(81, false)]
    [InlineData(443, true)]
    public void NamedPortSet_OrWithPorts(int port, bool allowed) =>
        Assert.Equal(allowed, Allowed(new RuleModel { Protocol = Packet.Tcp, DstPorts = [new PortRange(443, 443)], DstNamedPortIpSetIds = ["n:http"] }, In(dstPort: port),
            b => b.IpSet("n:http", IpSetType.IpPort, "10.0.0.1,tcp:80", "10.0.0.9,tcp:81")));

    [Fact]
    public void NamedPortSet_ProtocolIsPartOfTheMember() =>
        Assert.False(Allowed(new RuleModel { DstNamedPortIpSetIds = ["n:http"] }, In(Packet.Udp),
            b => b.IpSet("n:http", IpSetType.IpPort, "10.0.0.1,tcp:80")));

    [Fact]
    public void NotNamedPortSet_Excluded() =>
        Assert.False(Allowed(new RuleModel { NotDstNamedPortIpSetIds = ["n:http"] }, In(),
            b => b.IpSet("n:http", IpSetType.IpPort, "10.0.0.1,tcp:80")));

    [Fact]
    public void UnknownIpSet_MatchesNothing() =>
        Assert.False(Allowed(new RuleModel { SrcIpSetIds = ["s:missing"] }, In()));

    [Theory]
    [InlineData(8, 0, true)]
    [InlineData(8, 1, false)]
    [InlineData(0, 0, false)]
    public void Icmp_TypeAndCode(int type, int code, bool allowed) =>
        Assert.Equal(allowed, Allowed(new RuleModel { Protocol = Packet.Icmp, IcmpType = 8, IcmpCode = 0 },
            In(Packet.Icmp, 0, srcPort: 0) with { IcmpType = type, IcmpCode = code }));

    [Fact]
    public void IpVersion_Mismatch_DoesNotMatch() =>
        Assert.False(Allowed(new RuleModel { IpVersion = 6 }, In()));

    [Theory]
    [InlineData(40000, true)]
    [InlineData(1000, false)]
    public void SrcPorts_MatchTheSourcePort(int srcPort, bool allowed) =>
        Assert.Equal(allowed, Allowed(new RuleModel { Protocol = Packet.Tcp, SrcPorts = [new PortRange(32768, 60999)] }, In(srcPort: srcPort)));
}
