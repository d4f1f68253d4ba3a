using System.Net;
using Calico.Felix.Calc.Model;
using static Calico.Reachability.Tests.StateBuilder;

namespace Calico.Reachability.Tests;

[Trait("Tier", "Unit")]
public sealed class MatrixTests
{
    [Theory]
    [InlineData("TCP/80", Packet.Tcp, 80)]
    [InlineData("udp/53", Packet.Udp, 53)]
    [InlineData("SCTP/9", Packet.Sctp, 9)]
    public void Probe_Parse_Valid(string text, int protocol, int port)
    {
        Assert.True(Probe.TryParse(text, out var probe));
        Assert.Equal(new Probe(protocol, port), probe);
    }

    [Theory]
    [InlineData("TCP")]
    [InlineData("TCP/0")]
    [InlineData("TCP/65536")]
    [InlineData("ICMP/1")]
    [InlineData("FOO/80")]
    [InlineData("/80")]
    public void Probe_Parse_Invalid(string text) => Assert.False(Probe.TryParse(text, out _));

    [Fact]
    public void Compute_DefaultDenyIngressOnOne_MarksColumn()
    {
        var p = Np("x", "deny");
        var b = new StateBuilder().Profile("kns.x", AllowAll).Policy(p)
            .Endpoint("x", "a", "10.0.0.1", [Tier("default", ingress: [p])], "kns.x")
            .Endpoint("x", "b", "10.0.0.2", null, "kns.x")
            .Endpoint("x", "c", "10.0.0.3", null, "kns.x");
        var endpoints = new[] { "a", "b", "c" }.Select((n, i) => new MatrixEndpoint("x/" + n, Key("x", n), IPAddress.Parse($"10.0.0.{i + 1}"))).ToList();
        var m = ReachabilityMatrix.Compute(new PolicyEvaluator(b.State), endpoints, new Probe(Packet.Tcp, 80));
        Assert.Null(m.Allowed(0, 0));
        Assert.False(m.Allowed(1, 0));
        Assert.False(m.Allowed(2, 0));
        Assert.True(m.Allowed(0, 1));
        Assert.True(m.Allowed(2, 1));
        Assert.Equal(
            "TCP/80 (rows: from, columns: to; . allowed, X denied)\n" +
            "     x/a x/b x/c\n" +
            "x/a  -   .   .  \n" +
            "x/b  X   -   .  \n" +
            "x/c  X   .   -  \n",
            m.Render());
    }
}
