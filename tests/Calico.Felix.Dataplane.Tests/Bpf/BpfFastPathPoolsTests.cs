using System.Net;
using Calico.Felix.Dataplane.Bpf;

namespace Calico.Felix.Dataplane.Tests.Bpf;

/// <summary>
/// Which fast-path prefixes may be written before the table: a prefix the fast paths gain only once a table that
/// untracks it is in force, one they lose (or an exclusion they gain) at once.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class BpfFastPathPoolsTests
{
    private static readonly IPNetwork Pool = IPNetwork.Parse("10.65.0.0/16");
    private static readonly IPNetwork Other = IPNetwork.Parse("10.66.0.0/16");
    private static readonly IPNetwork Floating = IPNetwork.Parse("10.65.9.9/32");

    [Fact]
    public void EnteringBpfMode_NoPoolIsGivenBeforeTheTableUntracksIt()
    {
        var next = new Dictionary<IPNetwork, bool> { [Pool] = true, [Floating] = false };
        var before = BpfFastPathPools.BeforeTable(null, next);
        Assert.Equal(new Dictionary<IPNetwork, bool> { [Floating] = false }, before);
    }

    [Fact]
    public void APoolKeptStays_ANewOneWaits_AndALostOneGoesAtOnce()
    {
        var applied = new Dictionary<IPNetwork, bool> { [Pool] = true };
        Assert.Equal(new Dictionary<IPNetwork, bool> { [Pool] = true },
            BpfFastPathPools.BeforeTable(applied, new Dictionary<IPNetwork, bool> { [Pool] = true, [Other] = true }));

        // A host endpoint appears: the next table tracks everything again, so the fast paths stop first.
        Assert.Empty(BpfFastPathPools.BeforeTable(applied, new Dictionary<IPNetwork, bool>()));
    }

    [Fact]
    public void AnExclusion_IsGainedAtOnce_AndLostOnlyAfterTheTable()
    {
        var applied = new Dictionary<IPNetwork, bool> { [Pool] = true };
        var withFloating = new Dictionary<IPNetwork, bool> { [Pool] = true, [Floating] = false };
        Assert.Equal(withFloating, BpfFastPathPools.BeforeTable(applied, withFloating));

        // The floating IP goes: until the table untracks its address, it stays excluded.
        Assert.Equal(withFloating, BpfFastPathPools.BeforeTable(withFloating, applied));
    }
}
