using System.Net;
using Calico.Felix.Bpf;
using Calico.Felix.Calc.Model;
using Calico.Felix.Dataplane.Bpf;
using Calico.Felix.Rules;

namespace Calico.Felix.Dataplane.Tests.Bpf;

[Trait("Tier", "Unit")]
public sealed class BpfSnatPlanTests
{
    private static readonly IPAddress Eth0 = IPAddress.Parse("192.168.1.1");
    private static readonly IPAddress Ens5 = IPAddress.Parse("10.0.0.7");
    private static readonly IPAddress Eth0V6 = IPAddress.Parse("2001:db8::1");

    private static readonly (uint, string, IPAddress?, IPAddress?)[] Uplinks =
        [(2, "eth0", Eth0, Eth0V6), (3, "ens5", Ens5, null), (4, "eth1", null, null)];

    [Fact]
    public void Plan_GivesEachDataInterfaceWithAnAddressItsOwn_PerFamily_AndBpfPsnatPortsByDefault()
    {
        BpfSnatPlan plan = BpfSnatPlan.Of(Uplinks, ["10.65.0.0/16", "fd00:65::/48"], fastPathsOn: true, NatOutgoingConfig.Default);
        Assert.Equal(new Dictionary<uint, IPAddress> { [2] = Eth0, [3] = Ens5 }, plan.Interfaces);
        Assert.Equal(new Dictionary<uint, IPAddress> { [2] = Eth0V6 }, plan.Interfaces6);
        Assert.Equal([IPNetwork.Parse("10.65.0.0/16"), IPNetwork.Parse("fd00:65::/48")], plan.NatPools.OrderBy(static p => p.BaseAddress.AddressFamily));
        Assert.Equal((20000, 29999), (plan.PortMin, plan.PortMax));
    }

    [Fact]
    public void Plan_IPv6_UsesTheInterfacesOwnAddress_NotNatOutgoingAddress_AndAFamilyWithoutOneStaysTheKernels()
    {
        var options = NatOutgoingConfig.Default with { SnatAddress = IPAddress.Parse("203.0.113.5") };
        BpfSnatPlan plan = BpfSnatPlan.Of(Uplinks, ["fd00:65::/48"], fastPathsOn: true, options);
        Assert.Empty(plan.Interfaces); // no IPv4 pool
        Assert.Equal(new Dictionary<uint, IPAddress> { [2] = Eth0V6 }, plan.Interfaces6);
        Assert.Equal([IPNetwork.Parse("fd00:65::/48")], plan.NatPools);

        // No interface with a global IPv6 address: the IPv6 pool is left out (the kernel masquerades it), IPv4 goes on.
        BpfSnatPlan v4Only = BpfSnatPlan.Of([(3, "ens5", Ens5, null)], ["10.65.0.0/16", "fd00:65::/48"], true, NatOutgoingConfig.Default);
        Assert.Empty(v4Only.Interfaces6);
        Assert.Equal([IPNetwork.Parse("10.65.0.0/16")], v4Only.NatPools);
        Assert.Empty(BpfSnatPlan.Of([(3, "ens5", Ens5, null)], ["fd00:65::/48"], true, NatOutgoingConfig.Default).NatPools);
    }

    [Fact]
    public void Plan_NatOutgoingAddress_NatPortRange_AndTheInterfaceFilter_Apply()
    {
        var options = new NatOutgoingConfig
        {
            SnatAddress = IPAddress.Parse("203.0.113.5"),
            PortRange = new PortRange(40000, 40099),
            BpfPsnatPorts = new PortRange(1000, 1999),
            InterfaceFilter = "eth+",
        };
        BpfSnatPlan plan = BpfSnatPlan.Of(Uplinks, ["10.65.0.0/16"], fastPathsOn: true, options);
        // eth0 and eth1 match the filter; eth1 has no address of its own but natOutgoingAddress replaces it.
        Assert.Equal(new Dictionary<uint, IPAddress> { [2] = options.SnatAddress, [4] = options.SnatAddress }, plan.Interfaces);
        Assert.Equal((40000, 40099), (plan.PortMin, plan.PortMax));
        Assert.Equal((1000, 1999), (BpfSnatPlan.Of(Uplinks, ["10.65.0.0/16"], true, options with { PortRange = null }).PortMin, 1999));
    }

    [Theory]
    [InlineData(false, false, "10.65.0.0/16")] // a host endpoint: the fast paths are off, the kernel NATs
    [InlineData(true, true, "10.65.0.0/16")]  // natOutgoingExclusions IPPoolsAndHostIPs: the programs do not know every host
    [InlineData(true, false, "fd00:66::/48")] // an IPv6 pool, but no uplink with a global IPv6 address (below)
    public void Plan_IsOff_WhereTheKernelMustNat(bool fastPathsOn, bool excludeHosts, string pool)
    {
        BpfSnatPlan plan = BpfSnatPlan.Of(pool.Contains(':', StringComparison.Ordinal) ? Uplinks.Where(static u => u.Item4 is null) : Uplinks, [pool], fastPathsOn,
            new NatOutgoingConfig { ExcludeHostAddresses = excludeHosts });
        Assert.Empty(plan.Interfaces);
        Assert.Empty(plan.Interfaces6);
        Assert.Empty(plan.NatPools);
    }

    [Theory]
    [InlineData("", "eth0", true)]
    [InlineData("+", "ens5", true)]
    [InlineData("eth+", "eth12", true)]
    [InlineData("eth+", "ens5", false)]
    [InlineData("eth0", "eth0", true)]
    [InlineData("eth0", "eth01", false)]
    public void MatchesFilter_AsUpstreamsInterfaceFilter(string filter, string name, bool matches) =>
        Assert.Equal(matches, BpfSnatPlan.MatchesFilter(filter, name));

    [Fact]
    public void Diff_WritesWhatChanged_AndDeletesWhatWent()
    {
        BpfSnatPlan before = BpfSnatPlan.Of(Uplinks, ["10.65.0.0/16"], true, NatOutgoingConfig.Default);
        Assert.Equal(3, BpfSnatPlan.Diff(null, before).Count); // two interfaces, one pool
        Assert.Empty(BpfSnatPlan.Diff(before, before));

        BpfSnatPlan moved = BpfSnatPlan.Of([(2, "eth0", IPAddress.Parse("192.168.1.2"), null)], ["10.66.0.0/16"], true, NatOutgoingConfig.Default);
        List<BpfMapOp> ops = BpfSnatPlan.Diff(before, moved);
        Assert.Contains(ops, op => op is BpfMapUpdate { Map: BpfMapLayout.SnatMap } u && u.Key.SequenceEqual(BpfMapLayout.SnatKey(2)) &&
            u.Value.SequenceEqual(BpfMapLayout.SnatValue(IPAddress.Parse("192.168.1.2"), 20000, 29999)));
        Assert.Contains(ops, op => op is BpfMapDelete { Map: BpfMapLayout.SnatMap } d && d.Key.SequenceEqual(BpfMapLayout.SnatKey(3)));
        Assert.Contains(ops, op => op is BpfMapUpdate { Map: BpfMapLayout.NatPoolMap } u && u.Key.SequenceEqual(BpfMapLayout.PoolKey(IPNetwork.Parse("10.66.0.0/16"))));
        Assert.Contains(ops, op => op is BpfMapDelete { Map: BpfMapLayout.NatPoolMap } d && d.Key.SequenceEqual(BpfMapLayout.PoolKey(IPNetwork.Parse("10.65.0.0/16"))));
        Assert.Equal(4, ops.Count);

        // Turned off: everything goes.
        Assert.Equal(3, BpfSnatPlan.Diff(before, BpfSnatPlan.Off).Count(static op => op is BpfMapDelete));

        // IPv6: its own key (family 6) on the same interface, written and deleted on its own.
        BpfSnatPlan dual = BpfSnatPlan.Of(Uplinks, ["10.65.0.0/16", "fd00:65::/48"], true, NatOutgoingConfig.Default);
        List<BpfMapOp> added = BpfSnatPlan.Diff(before, dual);
        Assert.Equal(2, added.Count);
        Assert.Contains(added, op => op is BpfMapUpdate { Map: BpfMapLayout.SnatMap } u && u.Key.SequenceEqual(BpfMapLayout.SnatKey(2, v6: true)) &&
            u.Value.SequenceEqual(BpfMapLayout.SnatValue(Eth0V6, 20000, 29999)));
        Assert.Contains(added, op => op is BpfMapUpdate { Map: BpfMapLayout.NatPoolMap } u && u.Key.SequenceEqual(BpfMapLayout.PoolKey(IPNetwork.Parse("fd00:65::/48"))));
        Assert.Contains(BpfSnatPlan.Diff(dual, before), op => op is BpfMapDelete { Map: BpfMapLayout.SnatMap } d && d.Key.SequenceEqual(BpfMapLayout.SnatKey(2, v6: true)));
    }

    [Theory]
    [InlineData(6, 3600, false)]
    [InlineData(6, 3601, true)]
    [InlineData(17, 60, false)]
    [InlineData(17, 61, true)]
    [InlineData(1, 6, true)]
    [InlineData(1, 5, false)]
    public void NatBindings_IdleAsTheProgramsTimeouts(byte protocol, int idleSeconds, bool idle)
    {
        const ulong Now = 10_000_000_000_000;
        Assert.Equal(idle, BpfNatScanner.IsIdle(protocol, Now - ((ulong)idleSeconds * 1_000_000_000), Now));
        Assert.False(BpfNatScanner.IsIdle(protocol, Now + 1, Now)); // refreshed after the scan's clock: live
    }

    [Fact]
    public void SnatValue_IsTheCStructsBytes()
    {
        byte[] value = BpfMapLayout.SnatValue(Eth0, 20000, 29999);
        Assert.Equal(BpfMapLayout.SnatValueSize, value.Length);
        Assert.Equal(new byte[] { 192, 168, 1, 1 }, value[..4]);
        Assert.Equal(20000, BitConverter.ToUInt16(value, 16));
        Assert.Equal(29999, BitConverter.ToUInt16(value, 18));
        Assert.Equal(new byte[] { 2, 0, 0, 0, 4, 0, 0, 0 }, BpfMapLayout.SnatKey(2));
        Assert.Equal(new byte[] { 2, 0, 0, 0, 6, 0, 0, 0 }, BpfMapLayout.SnatKey(2, v6: true));
        Assert.Equal(Eth0V6.GetAddressBytes(), BpfMapLayout.SnatValue(Eth0V6, 1, 2)[..16]);
    }
}
