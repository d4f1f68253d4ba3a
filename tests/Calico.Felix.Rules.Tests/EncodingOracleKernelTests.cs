using Calico.Linux;
using Calico.Linux.Nft;
using Calico.TestKit;

namespace Calico.Felix.Rules.Tests;

/// <summary>
/// Root tier, the oracle of the netlink encoding over the golden rulesets: each golden case's typed table is loaded
/// whole by <c>nft -f</c> in one namespace; in a second, the same sets, maps and (empty) chains are loaded by
/// <c>nft -f</c> and every rule is added over netlink from its typed encoding. <c>nft list table</c> must print the
/// same text, and <c>nft --debug=netlink list chain</c> the same expressions, chain by chain.
/// </summary>
[Trait("Tier", "Root")]
public sealed class EncodingOracleKernelTests
{
    [Theory]
    [MemberData(nameof(GoldenCases.Names), MemberType = typeof(GoldenCases))]
    public async Task GoldenTable_RulesWrittenOverNetlink_ListAndDumpAsNftWritesThem(string caseName)
    {
        var (state, config) = GoldenCases.Get(caseName);
        NftTable table = NftablesRenderer.Build(state, config, GoldenCases.NatFor(caseName));
        var empty = new NftTable(table.Sets, table.Maps, table.Chains.Select(c => new NftChain(c.Name, c.Header, c.Note, [])));

        using var byNft = new NetnsScope();
        using var byNetlink = new NetnsScope();
        new KernelNft(byNft).Apply(table.ToFullTransaction(), caseName);
        new KernelNft(byNetlink).Apply(empty.ToFullTransaction(), caseName + " without rules");

        var transaction = new NfTablesTransaction("inet", "calico");
        int rules = 0;
        foreach (NftChain chain in table.Chains)
        {
            foreach (NftRule rule in chain.Rules)
            {
                bool encoded = NfTablesRule.TryEncode(rule, name => table.SetsByName[name].Type.Interval, out NfTablesRule? wire, out string? reason);
                Assert.True(encoded, $"{chain.Name}: {rule.Text}: {reason}");
                transaction.AppendRule(chain.Name, wire!);
                rules++;
            }
        }

        using (NfTables tables = await NfTables.OpenInAsync(byNetlink.Path, CancellationToken.None))
        {
            NetlinkException? error = Record.Exception(() => tables.Apply(transaction)) as NetlinkException;
            Assert.True(error is null, error?.Message);
        }

        Assert.True(rules > 0 || table.Chains.Count == 0);
        Assert.Equal(NftDebugListing.ListTable(byNft), NftDebugListing.ListTable(byNetlink));
        foreach (NftChain chain in table.Chains)
        {
            List<string> expected = NftDebugListing.DebugRules(byNft, chain.Name);
            Assert.Equal(chain.Rules.Count, expected.Count);
            Assert.Equal(expected, NftDebugListing.DebugRules(byNetlink, chain.Name));
        }
    }
}
