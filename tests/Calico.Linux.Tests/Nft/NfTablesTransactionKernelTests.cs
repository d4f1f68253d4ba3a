using System.Diagnostics;
using System.Globalization;
using System.Text;
using Calico.Linux.Interop;
using Calico.Linux.Nft;
using Calico.Nftables;
using Calico.TestKit;
using Xunit.Abstractions;
using static Calico.Linux.Tests.Nft.TypedRules;
using F = Calico.Nftables.NftField;

namespace Calico.Linux.Tests.Nft;

/// <summary>
/// Root tier: rules programmed over netlink must be indistinguishable from the same rules programmed by <c>nft -f</c>:
/// the same text in <c>nft list chain</c> and the same expressions (and anonymous set elements) in
/// <c>nft --debug=netlink list chain</c>. Plus batch semantics: all or nothing, errors naming the step.
/// </summary>
[Trait("Tier", "Root")]
public class NfTablesTransactionKernelTests(ITestOutputHelper output)
{
    private const string ChainA = "oracle-a";
    private const string ChainB = "oracle-b";

    [Fact]
    public async Task Apply_EveryCorpusRule_KernelHoldsWhatNftWouldProgram()
    {
        Prerequisites.Require("nft");
        using var scope = new NetnsScope("calt-nfr");
        await NftRunner.ApplyInAsync(scope.Path, NftRuleCorpus.DeclarationScript(), CancellationToken.None);
        IReadOnlyList<NftRule> rules = NftRuleCorpus.EdgeCases;

        var script = new StringBuilder();
        script.Append("add chain inet calico ").Append(ChainA).Append('\n');
        foreach (NftRule rule in rules)
        {
            script.Append("add rule inet calico ").Append(ChainA).Append(' ').Append(rule.Text).Append('\n');
        }

        await NftRunner.ApplyInAsync(scope.Path, script.ToString(), CancellationToken.None);

        var failures = new List<string>();
        using (NfTables tables = await NfTables.OpenInAsync(scope.Path, CancellationToken.None))
        {
            foreach (NftRule rule in rules)
            {
                var transaction = new NfTablesTransaction("inet", "calico");
                transaction.AddChain(ChainB);
                transaction.AppendRule(ChainB, Encode(rule));
                try
                {
                    tables.Apply(transaction);
                }
                catch (NetlinkException e)
                {
                    failures.Add($"{rule}\n  netlink: {e.Message}");
                    // Keep the chains aligned so later rules still compare with their twins.
                    tables.Apply(Placeholder());
                }
            }
        }

        List<string> listedA = ListedRules(scope, ChainA);
        List<string> listedB = ListedRules(scope, ChainB);
        List<string> dumpA = NftDebugListing.DebugRules(scope, ChainA);
        List<string> dumpB = NftDebugListing.DebugRules(scope, ChainB);
        Assert.Equal(rules.Count, listedA.Count);
        Assert.Equal(rules.Count, listedB.Count);
        Assert.Equal(rules.Count, dumpA.Count);
        Assert.Equal(rules.Count, dumpB.Count);
        for (int i = 0; i < rules.Count; i++)
        {
            if (listedA[i] != listedB[i])
            {
                failures.Add($"{rules[i]}\n  nft -f lists:  {listedA[i]}\n  netlink lists: {listedB[i]}");
            }
            else if (dumpA[i] != dumpB[i])
            {
                failures.Add($"{rules[i]}\n  nft -f expressions:\n{dumpA[i]}\n  netlink expressions:\n{dumpB[i]}");
            }
        }

        output.WriteLine($"{rules.Count} rules compared");
        Assert.True(failures.Count == 0, $"{failures.Count} of {rules.Count} rules differ:\n" + string.Join("\n\n", failures));
    }

    [Fact]
    public async Task Apply_RuleJumpingToMissingChain_ThrowsNamingTheStepAndChangesNothing()
    {
        using var scope = await TableAsync("chain guard { counter accept; }");
        string before = NftDebugListing.ListTable(scope);
        var transaction = new NfTablesTransaction("inet", "calico");
        transaction.FlushChain("guard");
        transaction.AddChain("fresh");
        transaction.AppendRule("guard", Encode(R(Is(F.IpSaddr, Set(Ip("10.0.0.1"), Ip("10.0.0.2"))), Counter, Drop)));
        transaction.AppendRule("guard", Encode(R(Is(F.IpSaddr, At("missing-set")), Counter, Accept)));
        transaction.AppendRule("guard", Encode(R(Counter, NftVerdict.Jump("no-such-chain"))));

        using NfTables tables = await NfTables.OpenInAsync(scope.Path, CancellationToken.None);
        NetlinkException error = Assert.Throws<NetlinkException>(() => tables.Apply(transaction));

        Assert.Equal(Errno.ENOENT, error.Errno);
        Assert.StartsWith("NFT_MSG_NEWRULE inet calico guard rule 2 'ip saddr @missing-set counter accept': ", error.Message, StringComparison.Ordinal);
        Assert.Contains("(ENOENT)", error.Message, StringComparison.Ordinal);
        Assert.Contains("1 more errors", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, NftDebugListing.ListTable(scope));
    }

    [Fact]
    public async Task Apply_FlushOfMissingChain_ThrowsAndLeavesTableAsBefore()
    {
        using var scope = await TableAsync("chain guard { counter accept; }");
        string before = NftDebugListing.ListTable(scope);
        var transaction = new NfTablesTransaction("inet", "calico");
        transaction.AddChain("fresh");
        transaction.AppendRule("fresh", Encode(R(Counter, Drop)));
        transaction.FlushChain("absent");

        using NfTables tables = await NfTables.OpenInAsync(scope.Path, CancellationToken.None);
        NetlinkException error = Assert.Throws<NetlinkException>(() => tables.Apply(transaction));

        Assert.Equal(Errno.ENOENT, error.Errno);
        Assert.StartsWith("NFT_MSG_DELRULE inet calico absent: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, NftDebugListing.ListTable(scope));
    }

    [Fact]
    public async Task Apply_DeleteOfReferencedChain_RefusedAsNftDoes()
    {
        using var scope = await TableAsync("chain target { }\n chain guard { counter jump target; }");
        var transaction = new NfTablesTransaction("inet", "calico");
        transaction.DeleteChain("target");

        using NfTables tables = await NfTables.OpenInAsync(scope.Path, CancellationToken.None);
        NetlinkException error = Assert.Throws<NetlinkException>(() => tables.Apply(transaction));

        Assert.Equal(16, error.Errno); // EBUSY
        Assert.StartsWith("NFT_MSG_DELCHAIN inet calico target: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_FlushThenAppend_ReplacesTheChainsRules()
    {
        using var scope = await TableAsync("set allowed { type ipv4_addr; flags interval; }\n chain guard { counter accept\n counter drop; }\n chain old { }");
        var transaction = new NfTablesTransaction("inet", "calico");
        transaction.FlushChain("guard");
        transaction.AppendRule("guard", Encode(Commented("first", Is(F.IpSaddr, At("allowed")), Counter, Accept)));
        transaction.AppendRule("guard", Encode(R(Is(F.ThDport, Set(Port(80), Port(443))), Counter, Drop)));
        transaction.AddChain("guard");
        transaction.AddChain("new-chain");
        transaction.AppendRule("new-chain", Encode(R(Counter, Return)));
        transaction.DeleteChain("old");
        transaction.ChangeElements([new SetElementChange("allowed", NftSetKind.Ipv4Prefix, true, "10.0.0.0/8")]);
        Assert.Equal(8, transaction.Count);

        using NfTables tables = await NfTables.OpenInAsync(scope.Path, CancellationToken.None);
        tables.Apply(transaction);

        Assert.Equal(
            ["ip saddr @allowed counter packets 0 bytes 0 accept comment \"first\"", "th dport { 80, 443 } counter packets 0 bytes 0 drop"],
            ListedRules(scope, "guard"));
        Assert.Equal(["counter packets 0 bytes 0 return"], ListedRules(scope, "new-chain"));
        Assert.DoesNotContain("chain old", NftDebugListing.ListTable(scope), StringComparison.Ordinal);
        Assert.Contains("10.0.0.0/8", NftDebugListing.ListTable(scope), StringComparison.Ordinal);

        // The same again: re-adding existing chains is fine, and the flush keeps the chain at two rules.
        var again = new NfTablesTransaction("inet", "calico");
        again.AddChain("guard");
        again.FlushChain("guard");
        again.AppendRule("guard", Encode(R(Counter, Drop)));
        tables.Apply(again);
        Assert.Equal(["counter packets 0 bytes 0 drop"], ListedRules(scope, "guard"));
    }

    [Fact]
    public async Task Apply_BadElementInBatch_NamesTheSetAndElement()
    {
        using var scope = await TableAsync("set allowed { type ipv4_addr; flags interval; }\n chain guard { }");
        var transaction = new NfTablesTransaction("inet", "calico");
        transaction.AppendRule("guard", Encode(R(Counter, Drop)));
        transaction.ChangeElements([new SetElementChange("allowed", NftSetKind.Ipv4Prefix, false, "10.9.0.0/16")]);

        using NfTables tables = await NfTables.OpenInAsync(scope.Path, CancellationToken.None);
        NetlinkException error = Assert.Throws<NetlinkException>(() => tables.Apply(transaction));

        Assert.Equal(Errno.ENOENT, error.Errno);
        Assert.StartsWith("NFT_MSG_DELSETELEM inet calico allowed element 10.9.0.0/16: ", error.Message, StringComparison.Ordinal);
        Assert.Empty(ListedRules(scope, "guard"));
    }

    [Theory]
    [InlineData("inet6", "calico")]
    [InlineData("inet", "")]
    public void Transaction_BadFamilyOrTable_ArgumentException(string family, string table) =>
        Assert.Throws<ArgumentException>(() => new NfTablesTransaction(family, table));

    /// <summary>
    /// Not a timed assertion: prints flush + one rule on a node-sized table (1,000 chains, 1,000 sets) over netlink
    /// versus <c>nft -f</c> through NftRunner, and checks both end in the same chain.
    /// </summary>
    [Fact]
    public async Task Measure_FlushAndOneRule_NetlinkVersusNftOnLargeTable()
    {
        Prerequisites.Require("nft");
        using var scope = new NetnsScope("calt-nfm");
        var script = new StringBuilder("table inet calico {\n");
        for (int i = 0; i < 1000; i++)
        {
            script.Append(CultureInfo.InvariantCulture, $"  set s{i} {{ type ipv4_addr; flags interval; elements = {{ 10.{i / 250}.{i % 250}.0/24 }} }}\n");
        }

        for (int i = 0; i < 1000; i++)
        {
            script.Append(CultureInfo.InvariantCulture, $"  chain c{i} {{ ip saddr @s{i} counter accept\n counter drop; }}\n");
        }

        await NftRunner.ApplyInAsync(scope.Path, script.Append("}\n").ToString(), CancellationToken.None);
        NftRule typed = R(
            Is(F.MetaNfproto, NftNfproto.Ipv4), Is(F.MetaL4proto, Proto(6)), Is(F.IpSaddr, At("s500")), Is(F.ThDport, Set(Port(80), Port(443))),
            Counter, new NftMarkSet(NftMarkOperation.Or, 0x10000), Return);
        string Rule = typed.Text;
        NfTablesRule compiled = Encode(typed);

        using NfTables tables = await NfTables.OpenInAsync(scope.Path, CancellationToken.None);
        var netlink = new List<double>();
        for (int i = 0; i < 21; i++)
        {
            var transaction = new NfTablesTransaction("inet", "calico");
            transaction.FlushChain("c500");
            transaction.AppendRule("c500", compiled);
            long start = Stopwatch.GetTimestamp();
            tables.Apply(transaction);
            netlink.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        List<string> viaNetlink = ListedRules(scope, "c500");
        var nft = new List<double>();
        for (int i = 0; i < 5; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await NftRunner.ApplyInAsync(scope.Path, $"flush chain inet calico c500\nadd rule inet calico c500 {Rule}\n", CancellationToken.None);
            nft.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        Assert.Equal(viaNetlink, ListedRules(scope, "c500"));
        IReadOnlyList<NftRule> corpus = NftRuleCorpus.EdgeCases;
        long encodeStart = Stopwatch.GetTimestamp();
        for (int round = 0; round < 100; round++)
        {
            foreach (NftRule rule in corpus)
            {
                Assert.True(NfTablesRule.TryEncode(rule, null, out _, out _));
            }
        }

        double perRule = Stopwatch.GetElapsedTime(encodeStart).TotalMicroseconds / (100.0 * corpus.Count);
        output.WriteLine($"TryEncode: {perRule:F1} us per corpus rule on average");
        output.WriteLine($"flush + 1 rule, 1,000 chains + 1,000 sets: netlink median {Median(netlink):F2} ms (min {netlink.Min():F2}); nft -f median {Median(nft):F1} ms (min {nft.Min():F1})");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static NfTablesTransaction Placeholder()
    {
        var transaction = new NfTablesTransaction("inet", "calico");
        transaction.AppendRule(ChainB, Encode(Commented("placeholder for a rule that failed", Counter)));
        return transaction;
    }

    private static Task<NetnsScope> TableAsync(string body) => NftTestTable.CreateAsync("calt-nft", body);

    /// <summary>The rule lines of <c>nft list chain</c>, in order.</summary>
    private static List<string> ListedRules(NetnsScope scope, string chain)
    {
        (int exit, string text, string error) = scope.Exec("nft", "list", "chain", "inet", "calico", chain);
        Assert.True(exit == 0, error);
        var rules = new List<string>();
        bool inChain = false;
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.StartsWith("chain ", StringComparison.Ordinal))
            {
                inChain = true;
            }
            else if (line == "}")
            {
                inChain = false;
            }
            else if (inChain && line.Length > 0)
            {
                rules.Add(line);
            }
        }

        return rules;
    }
}
