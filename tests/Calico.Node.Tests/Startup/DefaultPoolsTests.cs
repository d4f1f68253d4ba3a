using System.Net;
using Calico.Api;
using Calico.Client;
using Calico.Datastore.Embedded;
using Calico.Node.Startup;
using Calico.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Node.Tests.Startup;

/// <summary>Default pools against an embedded datastore: created only when no pool of the family exists, once.</summary>
[Trait("Tier", "Unit")]
public sealed class DefaultPoolsTests : IAsyncLifetime
{
    private static readonly DefaultPools.Host Host = new(() => [IPAddress.Parse("192.168.7.1"), IPAddress.Parse("10.0.0.5")], () => true, b => b.Fill(0xab));
    private readonly TempDirectory _dir = new("default-pools");
    private EmbeddedKeyValueStore _store = null!;
    private ResourceClient _client = null!;

    public async Task InitializeAsync()
    {
        _store = new EmbeddedKeyValueStore(_dir.File("calico.db"));
        _client = new ResourceClient(_store, TimeProvider.System);
        await _client.EnsureInitializedAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _dir.Dispose();
    }

    private static DefaultPoolPlan Plan(params (string Key, string Value)[] env) => DefaultPoolPlan.Parse(env.ToDictionary(e => e.Key, e => e.Value));

    private async Task<List<IPPool>> PoolsAsync() =>
        (await _client.ListAsync(ResourceKinds.IPPool, null, CancellationToken.None)).Item1.OfType<IPPool>().OrderBy(p => p.Metadata.Name, StringComparer.Ordinal).ToList();

    [Fact]
    public async Task EnsureAsync_EmptyDatastore_CreatesBothPoolsAsUpstream()
    {
        await DefaultPools.EnsureAsync(_client, Plan(), Host, NullLogger.Instance, CancellationToken.None);

        List<IPPool> pools = await PoolsAsync();
        Assert.Equal(["default-ipv4-ippool", "default-ipv6-ippool"], pools.Select(p => p.Metadata.Name));
        // A host address in 192.168.0.0/16 moves the IPv4 pool to 172.16.0.0/16; the IPv6 pool is fd + 40 random bits.
        Assert.Equal(("172.16.0.0/16", 26, "Never", "Never", true, "all()", false), Fields(pools[0]));
        Assert.Equal(("fdab:abab:abab::/48", 122, "Never", "Never", false, "all()", false), Fields(pools[1]));
    }

    [Fact]
    public async Task EnsureAsync_Variables_ReachThePools()
    {
        var plan = Plan(
            ("CALICO_IPV4POOL_CIDR", "10.48.0.0/16"), ("CALICO_IPV4POOL_BLOCK_SIZE", "24"), ("CALICO_IPV4POOL_IPIP", "CrossSubnet"),
            ("CALICO_IPV4POOL_NAT_OUTGOING", "false"), ("CALICO_IPV4POOL_NODE_SELECTOR", "zone == 'a'"), ("CALICO_IPV4POOL_DISABLE_BGP_EXPORT", "true"),
            ("CALICO_IPV6POOL_CIDR", "fd00:48::/64"), ("CALICO_IPV6POOL_BLOCK_SIZE", "124"), ("CALICO_IPV6POOL_VXLAN", "Always"), ("CALICO_IPV6POOL_NAT_OUTGOING", "true"));

        await DefaultPools.EnsureAsync(_client, plan, Host, NullLogger.Instance, CancellationToken.None);

        List<IPPool> pools = await PoolsAsync();
        Assert.Equal(("10.48.0.0/16", 24, "CrossSubnet", "Never", false, "zone == 'a'", true), Fields(pools[0]));
        Assert.Equal(("fd00:48::/64", 124, "Never", "Always", true, "all()", false), Fields(pools[1]));
    }

    [Fact]
    public async Task EnsureAsync_PoolOfFamilyExists_CreatesOnlyTheOther_NoDefaultPoolsCreatesNone()
    {
        var existing = new IPPool { Metadata = { Name = "mine" }, Spec = new IPPoolSpec { Cidr = "10.65.0.0/16", Disabled = true } };
        Assert.True((await _client.CreateAsync(existing, CancellationToken.None)).Succeeded);

        await DefaultPools.EnsureAsync(_client, DefaultPoolPlan.None, Host, NullLogger.Instance, CancellationToken.None);
        Assert.Equal(["mine"], (await PoolsAsync()).Select(p => p.Metadata.Name));

        await DefaultPools.EnsureAsync(_client, Plan(), Host, NullLogger.Instance, CancellationToken.None);
        Assert.Equal(["default-ipv6-ippool", "mine"], (await PoolsAsync()).Select(p => p.Metadata.Name));
    }

    [Fact]
    public async Task EnsureAsync_NoIpv6_NoIpv6Pool()
    {
        await DefaultPools.EnsureAsync(_client, Plan(("FELIX_IPV6SUPPORT", "false")), Host, NullLogger.Instance, CancellationToken.None);
        await DefaultPools.EnsureAsync(_client, Plan(("CALICO_IPV4POOL_CIDR", "none")), Host with { KernelHasIpv6 = () => false }, NullLogger.Instance, CancellationToken.None);

        Assert.Equal(["default-ipv4-ippool"], (await PoolsAsync()).Select(p => p.Metadata.Name));
    }

    [Fact]
    public async Task EnsureAsync_NodesStartingAtOnce_OnePoolPerFamily()
    {
        // Each "node" sees a different host, so each would choose another IPv4 CIDR and another ULA: the name decides.
        var starts = Enumerable.Range(0, 8).Select(i => Task.Run(() => DefaultPools.EnsureAsync(
            _client, Plan(), new DefaultPools.Host(() => i % 2 == 0 ? [IPAddress.Parse("192.168.0.9")] : [], () => true, b => b.Fill((byte)i)), NullLogger.Instance, CancellationToken.None)));

        IReadOnlyList<IPPool>[] created = await Task.WhenAll(starts);

        Assert.Equal(["default-ipv4-ippool", "default-ipv6-ippool"], (await PoolsAsync()).Select(p => p.Metadata.Name));
        Assert.Equal(1, created.Sum(c => c.Count(p => p.Metadata.Name == "default-ipv4-ippool")));
        Assert.Equal(1, created.Sum(c => c.Count(p => p.Metadata.Name == "default-ipv6-ippool")));
    }

    private static (string, int?, string?, string?, bool, string?, bool) Fields(IPPool p) =>
        (p.Spec.Cidr, p.Spec.BlockSize, p.Spec.IpipMode, p.Spec.VxlanMode, p.Spec.NatOutgoing == true, p.Spec.NodeSelector, p.Spec.DisableBGPExport == true);
}
