using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Calico.Felix.Calc.Model;
using Calico.Felix.Dataplane.Nftables;
using Calico.Felix.Dataplane.Routes;
using Calico.Felix.Rules;
using Calico.Felix.Rules.Planning;
using Calico.Linux.Netlink;
using Calico.Linux.Nft;
using Calico.Nftables;
using Calico.TestKit;

namespace Calico.Benchmarks;

/// <summary>
/// Cold start with 10,000 endpoints (not run in CI; needs root): the first apply as calico-node does it (rule hashes
/// stamped, planned, one nf_tables netlink transaction, then the workload routes through the route manager's
/// netlink) against the anchor measured in the same run: raw <c>nft -f</c> of the same full table plus
/// <c>ip -batch</c> of the same routes. Each run in a fresh namespace with one veth as the workload interface (the routes
/// only need a link). Target: ratio ≤ 2.
/// </summary>
internal static class ColdStartBenchmarks
{
    private const int Endpoints = 10_000;
    private const int Runs = 5;
    private const string Interface = "calibench0";

    public static async Task RunAsync()
    {
        Console.WriteLine($"Cold start, {Endpoints} endpoints, {Runs} runs each (medians; the machine is shared and loaded)");
        DataplaneState state = BuildState();
        NftTable table = NftablesRenderer.Build(state, new RenderConfig(), NatInputs.None);
        var routes = new Dictionary<string, IPNetwork[]>(StringComparer.Ordinal) { [Interface] = [.. Nets()] };
        string script = NftRuleHash.Stamp(table).ToFullTransaction();
        string ipBatch = IpBatch();
        Stats.Row("table", string.Create(CultureInfo.InvariantCulture, $"{table.Chains.Count} chains, {table.Chains.Sum(c => c.Rules.Count)} rules, {table.Sets.Count + table.Maps.Count} sets/maps, script {script.Length / 1024} KiB"));

        var netlink = new List<double>();
        var netlinkNft = new List<double>();
        var anchor = new List<double>();
        var anchorNft = new List<double>();
        for (int run = 0; run < Runs; run++)
        {
            using (var ns = Namespace())
            {
                using var writer = new KernelNftablesWriter(ns.Path);
                using RouteNetlink rtnl = await RouteNetlink.OpenInAsync(ns.Path, CancellationToken.None);
                var manager = new NftablesManager(writer);
                var routeManager = new RouteManager(rtnl);
                long started = Stopwatch.GetTimestamp();
                await manager.ApplyAsync(table, CancellationToken.None);
                double nft = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                await routeManager.ApplyAsync(new WorkloadRoutes(routes, AllowRemovals: true), CancellationToken.None);
                netlink.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                netlinkNft.Add(nft);
                if (manager.LastWrite!.Sink != "netlink")
                {
                    Console.WriteLine("  (netlink fell back to nft -f: " + manager.LastWrite.FallbackReason + ")");
                }
            }

            using (var ns = Namespace())
            {
                long started = Stopwatch.GetTimestamp();
                await NftRunner.ApplyInAsync(ns.Path, script, CancellationToken.None);
                double nft = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                using var process = Process.Start(new ProcessStartInfo("ip", ["-n", ns.Name, "-batch", "-"]) { RedirectStandardInput = true })!;
                await process.StandardInput.WriteAsync(ipBatch);
                process.StandardInput.Close();
                await process.WaitForExitAsync();
                anchor.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                anchorNft.Add(nft);
                if (process.ExitCode != 0)
                {
                    Console.WriteLine("  (ip -batch failed)");
                }
            }
        }

        double a = Stats.Percentile(anchor, 50);
        double n = Stats.Percentile(netlink, 50);
        Stats.Row("first apply, netlink (table + routes), p50", Stats.F(n, "ms"));
        Stats.Row("  of which the table (stamp, plan, encode, send), p50", Stats.F(Stats.Percentile(netlinkNft, 50), "ms"));
        Stats.Row("anchor: nft -f + ip -batch, p50", Stats.F(a, "ms"));
        Stats.Row("  of which nft -f, p50", Stats.F(Stats.Percentile(anchorNft, 50), "ms"));
        Stats.Row("ratio netlink / anchor (target <= 2)", Stats.F(n / a, "x"));
    }

    private static NetnsScope Namespace()
    {
        var ns = new NetnsScope("calb-cold");
        try
        {
            ns.Ip("link", "add", Interface, "type", "veth", "peer", "name", "calibenchp");
            ns.Ip("link", "set", "calibenchp", "up");
            ns.Ip("link", "set", Interface, "up");
            return ns;
        }
        catch
        {
            // The caller's using never sees a scope that failed half-way: remove the namespace here.
            ns.Dispose();
            throw;
        }
    }

    private static IEnumerable<IPNetwork> Nets()
    {
        for (int i = 0; i < Endpoints; i++)
        {
            yield return IPNetwork.Parse(Address(i) + "/32");
        }
    }

    private static string Address(int i) => string.Create(CultureInfo.InvariantCulture, $"10.65.{i / 250}.{(i % 250) + 1}");

    private static string IpBatch()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < Endpoints; i++)
        {
            sb.Append("route add ").Append(Address(i)).Append("/32 dev ").Append(Interface).Append(" scope link proto boot\n");
        }

        return sb.ToString();
    }

    /// <summary>10,000 workload endpoints under 20 policies naming 20 IP sets of 50 members each.</summary>
    private static DataplaneState BuildState()
    {
        var state = new DataplaneState();
        var policies = new PolicyKey[20];
        for (int p = 0; p < policies.Length; p++)
        {
            string set = "s:bench" + p.ToString(CultureInfo.InvariantCulture);
            state.Apply(new IpSetUpdate(set, IpSetType.Net, [.. Enumerable.Range(0, 50).Select(i => Address((p * 50) + i) + "/32")]));
            policies[p] = new PolicyKey("default", "NetworkPolicy", "prod", "p" + p.ToString(CultureInfo.InvariantCulture));
            state.Apply(new ActivePolicyUpdate(policies[p], new PolicyIntent(
                [new RuleModel { Action = RuleAction.Allow, SrcIpSetIds = [set] }, new RuleModel { Action = RuleAction.Allow, Protocol = 6, DstPorts = [new PortRange(8000 + p, 8000 + p)] }],
                [new RuleModel { Action = RuleAction.Allow }])));
        }

        for (int i = 0; i < Endpoints; i++)
        {
            PolicyKey policy = policies[i % policies.Length];
            state.Apply(new EndpointUpdate(new EndpointIntent(
                new EndpointKey(false, "prod", "w" + i.ToString(CultureInfo.InvariantCulture)),
                "cali" + i.ToString("x8", CultureInfo.InvariantCulture),
                [Address(i) + "/32"],
                [],
                [new TierIntent("default", RuleAction.Deny, [policy], [policy])],
                ["kns.prod"])));
        }

        return state;
    }
}
