using System.Net;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;

namespace Calico.Felix.Bpf.Tests;

[Trait("Tier", "Unit")]
public sealed class BpfResyncTests
{
    [Fact]
    public void HighestIds_ReadsRuleKeysEndpointTablesAndSetIds()
    {
        var (table, set) = BpfResync.HighestIds(
            [BpfMapLayout.RuleKey(7, 0), BpfMapLayout.RuleKey(3, 9)],
            [BpfMapLayout.EndpointValue(BpfMapLayout.EndpointWorkload, 12, 4, EndpointToHostAction.Drop)],
            [BpfMapLayout.IpSetKey(21, IpSetMember.Parse("10.0.0.0/8")), BpfMapLayout.IpSetKey(5, IpSetMember.Parse("10.1.0.0/16"))]);

        Assert.Equal(12u, table); // an endpoint may point at a table whose rules are gone: never reuse its id
        Assert.Equal(21u, set);
    }

    [Fact]
    public void Sweep_DeletesOnlyKeysTheDesiredWritesDoNotHold()
    {
        byte[] kept = BpfMapLayout.RuleKey(9, 0);
        byte[] stale = BpfMapLayout.RuleKey(2, 0);
        var desired = new List<BpfMapOp>
        {
            new BpfMapUpdate(BpfMapLayout.RuleMap, kept, new byte[BpfMapLayout.RuleValueSize]),
            new BpfMapUpdate(BpfMapLayout.EndpointMap, BpfMapLayout.EndpointKey(2), new byte[BpfMapLayout.EndpointValueSize]),
        };

        List<BpfMapDelete> deletes = BpfResync.Sweep(BpfMapLayout.RuleMap, [kept, stale], desired);

        Assert.Equal(Convert.ToHexString(stale), Convert.ToHexString(Assert.Single(deletes).Key));
    }

    [Fact]
    public void HostAddresses_UnknownPreviousWritesAll_KnownPreviousWritesTheDifference()
    {
        var a = IPAddress.Parse("192.168.1.1");
        var b = IPAddress.Parse("fd00::1");
        Assert.Equal(2, BpfResync.HostAddresses(null, new HashSet<IPAddress> { a, b }).Count);

        List<BpfMapOp> ops = BpfResync.HostAddresses(new HashSet<IPAddress> { a }, new HashSet<IPAddress> { b });
        Assert.IsType<BpfMapUpdate>(ops[0]);
        Assert.Equal(Convert.ToHexString(BpfMapLayout.HostIpKey(a)), Convert.ToHexString(Assert.IsType<BpfMapDelete>(ops[1]).Key));
    }

    [Fact]
    public void Pools_WriteTheDifference_AsLpmKeysCountedFromTheFamily()
    {
        var v4 = IPNetwork.Parse("10.65.0.0/16");
        var v6 = IPNetwork.Parse("fd00:65::/48");
        var floating = IPNetwork.Parse("10.65.9.9/32");
        Assert.Equal(2, BpfResync.Pools(null, new Dictionary<IPNetwork, bool> { [v4] = true, [v6] = true }).Count);
        Assert.Empty(BpfResync.Pools(new Dictionary<IPNetwork, bool> { [v4] = true }, new Dictionary<IPNetwork, bool> { [v4] = true }));

        List<BpfMapOp> ops = BpfResync.Pools(new Dictionary<IPNetwork, bool> { [v4] = true }, new Dictionary<IPNetwork, bool> { [v6] = true, [floating] = false });
        Assert.Equal(3, ops.Count);
        BpfMapUpdate excluded = ops.OfType<BpfMapUpdate>().Single(o => o.Key.SequenceEqual(BpfMapLayout.PoolKey(floating)));
        Assert.Equal(BpfMapLayout.PoolValue(false), excluded.Value);
        Assert.Equal(Convert.ToHexString(BpfMapLayout.PoolKey(v4)), Convert.ToHexString(Assert.IsType<BpfMapDelete>(ops[2]).Key));

        // A value change alone is a write.
        Assert.Single(BpfResync.Pools(new Dictionary<IPNetwork, bool> { [floating] = true }, new Dictionary<IPNetwork, bool> { [floating] = false }));

        // prefixlen 32 (family) + 16, family 4, then the address: what cali_pool_key holds.
        Assert.Equal("30000000" + "04000000" + "0A410000" + new string('0', 24), Convert.ToHexString(BpfMapLayout.PoolKey(v4)));
        Assert.Equal(80u, BitConverter.ToUInt32(BpfMapLayout.PoolKey(v6), 0));
    }

    [Fact]
    public void IdAllocator_SkipPast_NeverHandsOutAnIdAtOrBelowIt()
    {
        var ids = new BpfIdAllocator();
        ids.SkipPast(40);
        Assert.Equal(41u, ids.IdFor("x"));
        ids.SkipPast(10);
        Assert.Equal(42u, ids.IdFor("y"));
    }

    [Fact]
    public void WorkloadAddresses_ListEachLocalWorkloadsOwnAddresses_WithItsInterface_AndWriteTheDifference()
    {
        var state = new DataplaneState();
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(false, "ns", "a"), "calia", ["10.65.0.2/32", "10.65.1.0/28"], ["fd00:65::2/128"], [], [])));
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(false, "ns", "gone"), "caligone", ["10.65.0.3/32"], [], [], [])));
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(true, "", "eth0"), "eth0", ["192.168.1.1/32"], [], [], [])));
        Dictionary<IPAddress, uint> local = BpfResync.LocalWorkloadAddresses(state, name => name switch { "calia" => 7, "eth0" => 2, _ => null });

        // The /28 is left to the FIB, the endpoint without an interface and the host endpoint are not listed.
        Assert.Equal(new Dictionary<IPAddress, uint> { [IPAddress.Parse("10.65.0.2")] = 7, [IPAddress.Parse("fd00:65::2")] = 7 }, local);

        Assert.Equal(2, BpfResync.WorkloadAddresses(null, local).Count);
        Assert.Empty(BpfResync.WorkloadAddresses(local, local));
        var moved = new Dictionary<IPAddress, uint> { [IPAddress.Parse("10.65.0.2")] = 9 };
        List<BpfMapOp> ops = BpfResync.WorkloadAddresses(local, moved);
        Assert.Equal(BpfMapLayout.WorkloadIpValue(9), Assert.IsType<BpfMapUpdate>(ops[0]).Value);
        Assert.Equal(Convert.ToHexString(BpfMapLayout.HostIpKey(IPAddress.Parse("fd00:65::2"))), Convert.ToHexString(Assert.IsType<BpfMapDelete>(ops[1]).Key));
        Assert.All(ops, op => Assert.Equal(BpfMapLayout.WorkloadIpMap, op.Map));
    }
}
