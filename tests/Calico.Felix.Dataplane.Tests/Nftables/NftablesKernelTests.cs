using System.Text.RegularExpressions;
using Calico.Felix.Calc.Model;
using Calico.Felix.Dataplane.Nftables;
using Calico.Felix.Rules;
using Calico.Felix.Rules.Planning;
using Calico.TestKit;

namespace Calico.Felix.Dataplane.Tests.Nftables;

/// <summary>
/// Root tier, in namespaces each test creates: the netlink sink and the <c>nft -f</c> sink of the same plans leave
/// the same <c>nft list table</c>, and drift made with the nft CLI is found rule by rule and repaired.
/// </summary>
[Trait("Tier", "Root")]
public sealed partial class NftablesKernelTests
{
    private static readonly NftTable[] Sequence =
    [
        TestTables.Build(3, ["10.0.0.1/32", "10.1.0.0/16"]),
        TestTables.Build(5, ["10.0.0.1/32", "10.0.0.2/32"]),
        TestTables.Build(5, ["10.0.0.2/32"], RuleAction.Deny),
        TestTables.Build(2, ["10.0.0.2/32"], RuleAction.Allow, 443),
        NftablesRenderer.Build(TestTables.State(2, ["10.0.0.3/32"]), new RenderConfig(), new NatInputs(["10.0.0.0/16"], ["10.0.0.0/16"])),

        // BPF mode: notrack of pool traffic, ct status dnat marking.
        NftablesRenderer.Build(TestTables.State(2, ["10.0.0.3/32"]), new RenderConfig { WorkloadPolicyInBpf = true }, new NatInputs(["10.0.0.0/16"], ["10.0.0.0/16"])),
        TestTables.Build(0, []),
    ];

    [Fact]
    public async Task Sinks_SamePlans_SameNftList()
    {
        using var netlinkNs = new NetnsScope("calt-nfs");
        using var scriptNs = new NetnsScope("calt-nfs");
        using var netlink = new KernelNftablesWriter(netlinkNs.Path);
        using var script = new KernelNftablesWriter(scriptNs.Path);
        NftTable? previous = null;
        foreach (NftTable next in Sequence)
        {
            NftTable stamped = NftRuleHash.Stamp(next);
            NftPlan plan = NftPlanner.Plan(previous, stamped);
            NftWriteResult viaNetlink = await netlink.ApplyNetlinkAsync(plan, CancellationToken.None);
            await script.ApplyScriptAsync(plan, "test", CancellationToken.None);

            Assert.Equal("netlink", viaNetlink.Sink);
            Assert.Equal(List(scriptNs), List(netlinkNs));
            previous = stamped;
        }
    }

    [Fact]
    public async Task Manager_DriftMadeWithNft_FoundAndRepaired()
    {
        using var ns = new NetnsScope("calt-nfd");
        using var writer = new KernelNftablesWriter(ns.Path);
        var manager = new NftablesManager(writer);
        NftTable table = TestTables.Build(3, ["10.0.0.1/32", "10.0.0.2/32"]);
        await manager.ApplyAsync(table, CancellationToken.None);
        Assert.Equal("netlink", manager.LastWrite!.Sink);
        Assert.Null(manager.FindDrift(await manager.ReadAsync(CancellationToken.None)));
        string chain = manager.Applied!.Chains.First(c => c.Header is null && c.Rules.Count >= 2).Name;
        string set = manager.Applied.Sets.First(s => s.Elements.Count > 1).Name;

        (string Name, Action Tamper)[] tampering =
        [
            ("rule edited in place", () => Nft(ns, "replace", "rule", "inet", "calico", chain, "handle", Handles(ns, chain)[0], "counter", "drop")),
            ("rule deleted", () => Nft(ns, "delete", "rule", "inet", "calico", chain, "handle", Handles(ns, chain)[1])),
            ("rule added", () => Nft(ns, "insert", "rule", "inet", "calico", chain, "counter", "accept")),
            ("set element changed", () => Nft(ns, "delete", "element", "inet", "calico", set, "{ 10.0.0.1 }")),
            ("table deleted", () => Nft(ns, "delete", "table", "inet", "calico")),
        ];
        foreach (var (name, tamper) in tampering)
        {
            tamper();

            string? drift = manager.FindDrift(await manager.ReadAsync(CancellationToken.None));
            Assert.True(drift is not null, name + ": not found");
            await manager.ApplyAsync(table, CancellationToken.None);
            Assert.True(manager.FindDrift(await manager.ReadAsync(CancellationToken.None)) is null, name + ": not repaired");
        }
    }

    private static string List(NetnsScope ns)
    {
        (int exit, string output, string error) = ns.Exec("nft", "list", "table", "inet", "calico");
        Assert.True(exit == 0, error);
        return output;
    }

    private static void Nft(NetnsScope ns, params string[] arguments)
    {
        (int exit, _, string error) = ns.Exec("nft", arguments);
        Assert.True(exit == 0, "nft " + string.Join(' ', arguments) + ": " + error);
    }

    private static string[] Handles(NetnsScope ns, string chain)
    {
        (int exit, string output, string error) = ns.Exec("nft", "-a", "list", "chain", "inet", "calico", chain);
        Assert.True(exit == 0, error);
        return [.. HandlePattern().Matches(output).Select(m => m.Groups[1].Value)];
    }

    [GeneratedRegex(@"[^{] # handle (\d+)\n")]
    private static partial Regex HandlePattern();
}
