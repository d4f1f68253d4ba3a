using System.Net.Sockets;
using Calico.Lab.Cluster;
using Calico.Lab.Conformance;
using Calico.Reachability;

namespace Calico.Lab.Tests;

/// <summary>
/// The matrix's four outcomes (allowed, denied = no answer, not listening = refused, unreachable = no route): how a
/// measured matrix prints them, that only "allowed" counts as reaching for conformance, and the socket errors each
/// comes from. Also the lab's default encapsulation and the warning for <c>--encapsulation none</c> across the fabric.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class ProbeOutcomeTests
{
    private static readonly string[] s_names = ["x/a", "x/b", "x/c", "x/d"];

    private static ProbeMatrix Measured()
    {
        var outcomes = new ProbeOutcome?[4, 4];
        outcomes[0, 1] = ProbeOutcome.Allowed;
        outcomes[0, 2] = ProbeOutcome.Denied;
        outcomes[0, 3] = ProbeOutcome.NotListening;
        outcomes[1, 0] = ProbeOutcome.Unreachable;
        outcomes[1, 2] = ProbeOutcome.Allowed;
        outcomes[1, 3] = ProbeOutcome.Allowed;
        outcomes[2, 0] = ProbeOutcome.Denied;
        outcomes[2, 1] = ProbeOutcome.NotListening;
        outcomes[2, 3] = ProbeOutcome.Denied;
        outcomes[3, 0] = ProbeOutcome.Allowed;
        outcomes[3, 1] = ProbeOutcome.Allowed;
        outcomes[3, 2] = ProbeOutcome.Unreachable;
        return new ProbeMatrix(s_names, new Probe(Packet.Tcp, 81), outcomes);
    }

    [Fact]
    public void Render_Measured_NotListeningAndUnreachableApartFromDenied_WithLegend()
    {
        Assert.Equal(
            "TCP/81 (rows: from, columns: to; . allowed, X denied (dropped: no answer), o not listening (refused), ! unreachable (no route))\n" +
            "     x/a x/b x/c x/d\n" +
            "x/a  -   .   X   o  \n" +
            "x/b  !   -   .   .  \n" +
            "x/c  X   o   -   X  \n" +
            "x/d  .   .   !   -  \n",
            Measured().Render());
    }

    [Fact]
    public void Render_EngineMatrix_Unchanged()
    {
        var allowed = new bool?[2, 2];
        allowed[0, 1] = true;
        allowed[1, 0] = false;
        Assert.Equal(
            "TCP/80 (rows: from, columns: to; . allowed, X denied)\n" +
            "     x/a x/b\n" +
            "x/a  -   .  \n" +
            "x/b  X   -  \n",
            new ProbeMatrix(["x/a", "x/b"], new Probe(Packet.Tcp, 80), allowed).Render());
    }

    [Fact]
    public void Allowed_OnlyAllowedReaches_ConformanceMeaningUnchanged()
    {
        var m = Measured();
        Assert.True(m.Allowed(0, 1));
        Assert.False(m.Allowed(0, 2));
        Assert.False(m.Allowed(0, 3));
        Assert.False(m.Allowed(1, 0));
        Assert.Null(m.Allowed(2, 2));
        Assert.Equal(ProbeOutcome.NotListening, m.Outcome(0, 3));
        Assert.Null(m.Outcome(3, 3));

        var expected = new bool?[4, 4];
        for (var i = 0; i < 4; i++)
        {
            for (var j = 0; j < 4; j++)
            {
                expected[i, j] = i == j ? null : m.Outcome(i, j) == ProbeOutcome.Allowed;
            }
        }

        Assert.True(m.Matches(expected));
        expected[0, 3] = true;
        Assert.False(m.Matches(expected));
    }

    [Fact]
    public void SideBySide_RefusedCell_SaysNotListening_StillADeny()
    {
        var expected = new bool?[4, 4];
        for (var i = 0; i < 4; i++)
        {
            for (var j = 0; j < 4; j++)
            {
                expected[i, j] = i == j ? null : Measured().Allowed(i, j);
            }
        }

        expected[0, 3] = true;
        expected[1, 0] = true;
        var report = SideBySide.Compare(new CaseStep(1, [], null), Measured(), expected);
        Assert.NotNull(report);
        Assert.Contains("x/a -> x/d: expected allow, got deny [not listening", report, StringComparison.Ordinal);
        Assert.Contains("x/b -> x/a: expected allow, got deny [unreachable", report, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SocketError.ConnectionRefused, ProbeOutcome.NotListening)]
    [InlineData(SocketError.HostUnreachable, ProbeOutcome.Unreachable)]
    [InlineData(SocketError.NetworkUnreachable, ProbeOutcome.Unreachable)]
    [InlineData(SocketError.TimedOut, ProbeOutcome.Denied)]
    [InlineData(SocketError.AccessDenied, ProbeOutcome.Denied)]
    public void Classify_SocketErrors(SocketError error, ProbeOutcome outcome) =>
        Assert.Equal(outcome, Prober.Classify(error));

    [Fact]
    public void UpOptions_DefaultEncapsulation_IsVxlanCrossSubnet()
    {
        Assert.Equal(UpOptions.EncapsulationVxlanCrossSubnet, new UpOptions().Encapsulation);
        Assert.Equal("CrossSubnet", UpOptions.VxlanMode(new UpOptions(Hosts: 3).Encapsulation));
        Assert.Contains("default vxlan-crosssubnet", LabCli.Usage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3, false, "host3")]
    [InlineData(7, true, "host3, host6")]
    public void Warning_EncapsulationNoneAcrossTheFabric_NamesTheUnreachableHostsAndWhy(int hosts, bool tor, string far)
    {
        var warning = FabricWarnings.Unreachable(new UpOptions(Hosts: hosts, Tor: tor, Encapsulation: UpOptions.EncapsulationNone));
        Assert.NotNull(warning);
        Assert.StartsWith($"warning: --encapsulation none: {far} (172.30.1.0/24) ", warning, StringComparison.Ordinal);
        Assert.Contains("the fabric router knows no pod routes", warning, StringComparison.Ordinal);
        Assert.Contains($"pods on {far} are unreachable from pods on host1, host2", warning, StringComparison.Ordinal);
        Assert.Equal(tor, warning.Contains("--tor does not change that", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(2, UpOptions.EncapsulationNone, false)]
    [InlineData(3, UpOptions.EncapsulationVxlanCrossSubnet, false)]
    [InlineData(3, UpOptions.EncapsulationVxlan, false)]
    [InlineData(3, UpOptions.EncapsulationNone, true)]
    [InlineData(5000, UpOptions.EncapsulationNone, false)]
    public void Warning_NoneWhenEveryPodCanReachEveryOther(int hosts, string encapsulation, bool noNode) =>
        Assert.Null(FabricWarnings.Unreachable(new UpOptions(Hosts: hosts, NoNode: noNode, Encapsulation: encapsulation)));

    [Fact]
    public void MatrixNote_EncapsulationNone_PodsOnBothSides_NamesThePodsAcross()
    {
        var state = new LabState { Encapsulation = UpOptions.EncapsulationNone };
        for (var i = 1; i <= 3; i++)
        {
            state.Hosts.Add(new LabHost { Name = LabLayout.HostName(i), Subnet = FabricAddressing.SubnetOf(i) });
        }

        LabPod Pod(string name, string host) => new() { Namespace = "x", Name = name, Host = host };
        var note = FabricWarnings.MatrixNote(state, [Pod("a", "host1"), Pod("c", "host3")]);
        Assert.NotNull(note);
        Assert.StartsWith("note: the lab runs with --encapsulation none and x/c (host3) sit(s) across the fabric router", note, StringComparison.Ordinal);
        Assert.Null(FabricWarnings.MatrixNote(state, [Pod("a", "host1"), Pod("b", "host2")]));
        state.Encapsulation = UpOptions.EncapsulationVxlanCrossSubnet;
        Assert.Null(FabricWarnings.MatrixNote(state, [Pod("a", "host1"), Pod("c", "host3")]));
    }
}
