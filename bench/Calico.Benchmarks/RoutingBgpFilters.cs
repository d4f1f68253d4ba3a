using System.Diagnostics;
using System.Globalization;
using System.Net;
using Calico.Api;
using Calico.Client;
using Calico.Ipam;
using Calico.Lab.Cluster;
using Calico.TestKit;

namespace Calico.Benchmarks;

/// <summary>
/// <c>bgp-filters</c>: does a BGPFilter on the peering slow route propagation? A two-host calico-lab (BGP, no
/// encapsulation) with the mesh off and one BGPPeer selecting every node (<c>peerSelector: all()</c>), so both hosts
/// peer through a peering BGPFilters apply to (they never apply to the mesh). Rounds alternate between the peer
/// without filters and the peer listing a BGPFilter of 10 export and 10 import rules, none of which matches the
/// pool (every route walks all 10 on host2's export and on host1's import, then Calico's own logic). Per round: a new
/// /26 block affine to host2 (an address assigned in it through IPAM, as the CNI plugin's claim does), timed from
/// the confirmed affinity in the datastore to a <c>proto bird</c> route for it in host1's kernel. Prints medians and
/// the ratio; asserts nothing. Root; the built calico-node/calico (CALICO_LAB_BIN_DIR).
/// </summary>
internal static class RoutingBgpFilters
{
    private const int RoundsPerSetting = 10;
    private const string PeerName = "bench-all-nodes";
    private const string FilterName = "bench-10-rules";

    public static async Task RunAsync()
    {
        CancellationToken cancellationToken = CancellationToken.None;
        IpTool.RequireRootTier();
        Console.WriteLine("bgp-filters (two-host calico-lab, mesh off, one peerSelector peering; new block on host2 -> host1's kernel)");
        await using RoutingLab lab = await RoutingLab.UpAsync(UpOptions.EncapsulationNone, cancellationToken);
        await lab.WaitForMeshAsync(cancellationToken);
        ResourceClient client = lab.Datastore.Client;
        await ApplyAsync(client, Filter(), cancellationToken);
        await ApplyAsync(client, Peer(withFilter: false), cancellationToken);
        await ApplyAsync(client, new BGPConfiguration { Metadata = { Name = "default" }, Spec = { NodeToNodeMeshEnabled = false } }, cancellationToken);

        var ipam = new IpamClient(lab.Datastore.Store, TimeProvider.System);
        var without = new List<double>();
        var with = new List<double>();
        for (int round = 0; round < 2 * RoundsPerSetting; round++)
        {
            bool filtered = round % 2 == 1;
            await ApplyAsync(client, Peer(filtered), cancellationToken);
            await SettleAsync(lab, filtered, cancellationToken);
            double ms = await NewBlockAsync(lab, ipam, round, cancellationToken);
            (filtered ? with : without).Add(ms);
            Stats.Row($"round {round + 1}: {(filtered ? "10-rule filter" : "no filter")}", $"{ms:F1} ms");
        }

        double medianWithout = Stats.Percentile(without, 50);
        double medianWith = Stats.Percentile(with, 50);
        Stats.Row($"no filter: new block -> host1's kernel p50 (min-max), {without.Count} rounds", Spread(without));
        Stats.Row($"BGPFilter of 10 rules each way: p50 (min-max), {with.Count} rounds", Spread(with));
        Stats.Row("ratio filtered ÷ unfiltered p50 (aim ≤ 1.1)", string.Create(CultureInfo.InvariantCulture, $"{medianWith / medianWithout:F2}×"));
    }

    /// <summary>The peering is in place with the wanted filters: both hosts' bird.cfg call it (or not), sessions Established.</summary>
    private static async Task SettleAsync(RoutingLab lab, bool filtered, CancellationToken cancellationToken)
    {
        string host2Socket = LabLayout.BirdSocket(lab.Host("host2"));
        string host1Socket = LabLayout.BirdSocket(lab.Host("host1"));
        string host1Address = lab.Host("host1").Address;
        string host2Address = lab.Host("host2").Address;
        double settled = await RoutingShell.TimeUntilAsync(
            Stopwatch.GetTimestamp(),
            async () =>
            {
                return RunsFilter(host1Socket) == filtered && RunsFilter(host2Socket) == filtered
                    && await RoutingShell.BgpStateAsync(host2Socket, host1Address, cancellationToken) == "Established"
                    && await RoutingShell.BgpStateAsync(host1Socket, host2Address, cancellationToken) == "Established";
            },
            TimeSpan.FromSeconds(60),
            cancellationToken);
        if (double.IsNaN(settled))
        {
            throw new InvalidOperationException($"the peering did not settle ({(filtered ? "with" : "without")} the filter) within 60 s");
        }

        // Let a reload triggered by the change finish before timing the next block.
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
    }

    /// <summary>Whether the bird.cfg calico-node wrote beside the control socket calls the filter in a peering.</summary>
    private static bool RunsFilter(string birdSocket)
    {
        string config = Path.Combine(Path.GetDirectoryName(birdSocket)!, "bird.cfg");
        return File.Exists(config) && File.ReadAllText(config).Contains($"'bgp_{FilterName}_exportFilterV4'();\n      calico_export", StringComparison.Ordinal);
    }

    /// <summary>A new /26 for host2 (10.65.200+round.0/26): confirmed affinity -> route in host1's kernel, in ms.</summary>
    private static async Task<double> NewBlockAsync(RoutingLab lab, IpamClient ipam, int round, CancellationToken cancellationToken)
    {
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<long> confirmed = await lab.WatchBlockConfirmedAsync("host2", stopWatching.Token);
        var address = IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"10.65.{200 + round}.1"));
        await ipam.AssignIpAsync(new AssignIpArgs { Address = address, HandleId = "bench-bgp-filters-" + round.ToString(CultureInfo.InvariantCulture), Hostname = "host2" }, cancellationToken);
        long affinity = await confirmed;
        string host1 = lab.Layout.HostNetns("host1");
        double routed = await RoutingShell.TimeUntilAsync(affinity, () => RoutingShell.HasBirdRouteToAsync(host1, address.ToString(), cancellationToken), TimeSpan.FromSeconds(60), cancellationToken);
        return double.IsNaN(routed) ? throw new InvalidOperationException($"host1's kernel never got a route to {address}") : routed;
    }

    private static BGPPeer Peer(bool withFilter) => new()
    {
        Metadata = { Name = PeerName },
        Spec = { PeerSelector = "all()", Filters = withFilter ? [FilterName] : null },
    };

    /// <summary>10 rules each way, every kind of match, none matching the lab's pool (10.65.0.0/16) or its routes.</summary>
    private static BGPFilter Filter()
    {
        static BGPFilterRuleV4 Rule(int i) => (i % 5) switch
        {
            0 => new BGPFilterRuleV4 { Cidr = $"192.0.{i}.0/24", MatchOperator = "Equal", Action = "Reject" },
            1 => new BGPFilterRuleV4 { Cidr = $"172.{16 + i}.0.0/16", MatchOperator = "In", PrefixLength = new BGPFilterPrefixLength { Min = 24, Max = 32 }, Action = "Reject" },
            2 => new BGPFilterRuleV4 { Communities = new BGPFilterCommunityMatch { Values = [$"65000:{i}"] }, Action = "Reject" },
            3 => new BGPFilterRuleV4 { AsPathPrefix = [65100, (uint)(65000 + i)], Action = "Reject" },
            _ => new BGPFilterRuleV4 { Cidr = $"203.0.{i}.0/24", MatchOperator = "In", Interface = "bench*", Action = "Reject" },
        };

        return new BGPFilter
        {
            Metadata = { Name = FilterName },
            Spec = { ExportV4 = [.. Enumerable.Range(0, 10).Select(Rule)], ImportV4 = [.. Enumerable.Range(0, 10).Select(Rule)] },
        };
    }

    /// <summary>Create, or update over the stored revision (calicoctl apply).</summary>
    private static async Task ApplyAsync(ResourceClient client, Resource resource, CancellationToken cancellationToken)
    {
        var existing = await client.GetAsync(ResourceKinds.Of(resource), null, resource.Metadata.Name!, cancellationToken);
        resource.Metadata.ResourceVersion = existing?.Metadata.ResourceVersion;
        var result = existing is null ? await client.CreateAsync(resource, cancellationToken) : await client.UpdateAsync(resource, cancellationToken);
        if (result.Status != OperationStatus.Ok)
        {
            throw new InvalidOperationException($"writing {resource.Kind} {resource.Metadata.Name}: {result.Status} {result.Message}");
        }
    }

    private static string Spread(List<double> values) =>
        string.Create(CultureInfo.InvariantCulture, $"{Stats.Percentile(values, 50):F1} ms ({values.Min():F1}-{values.Max():F1})");
}
