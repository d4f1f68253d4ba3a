using System.Text.Json;
using Calico.TestKit;

namespace Calico.Felix.Rules.Tests;

/// <summary>
/// Root tier: every golden ruleset must load with the real nft into a fresh network namespace (never the
/// machine's own), and read back with <c>nft -j list ruleset</c> as the table, chains, rules and set elements
/// the text declares.
/// </summary>
// Same collection as the golden tests: UPDATE_GOLDEN=1 rewrites the files the kernel tests read.
[Collection("golden")]
[Trait("Tier", "Root")]
public sealed class NftablesKernelTests
{
    [Theory]
    [MemberData(nameof(Cases))]
    public void GoldenRuleset_LoadedIntoNetns_ReadsBackAsDeclared(string caseName)
    {
        string nft = RequireNft();
        string text = File.ReadAllText(Golden.PathOf(caseName, "expected.nft"));
        using var ns = new NetnsScope();

        Load(ns, nft, text, caseName);

        AssertMatches(text, ListRuleset(ns, nft));
    }

    [Fact]
    public void GoldenRuleset_LoadedOverAnother_ReplacesItWhole()
    {
        string nft = RequireNft();
        using var ns = new NetnsScope();
        Load(ns, nft, File.ReadAllText(Golden.PathOf("tiers-and-rules", "expected.nft")), "tiers-and-rules");
        string second = File.ReadAllText(Golden.PathOf("profile-only", "expected.nft"));

        Load(ns, nft, second, "profile-only");

        AssertMatches(second, ListRuleset(ns, nft));
    }

    [Fact]
    public void TiersAndRules_LoadedIntoNetns_HasSetElements()
    {
        string nft = RequireNft();
        using var ns = new NetnsScope();
        Load(ns, nft, File.ReadAllText(Golden.PathOf("tiers-and-rules", "expected.nft")), "tiers-and-rules");

        Ruleset ruleset = ListRuleset(ns, nft);

        Assert.Contains("fd00::1", ruleset.Elements["cali60s_web-pods"], StringComparison.Ordinal);
        Assert.Contains("10.1.0.0", ruleset.Elements["cali40s_web-pods"], StringComparison.Ordinal);
        Assert.Contains("8081", ruleset.Elements["cali40n_http-web"], StringComparison.Ordinal);
        Assert.Contains("cali-tw-cali5678", ruleset.Elements["cali-to-wl-dispatch"], StringComparison.Ordinal);
    }

    public static TheoryData<string> Cases => GoldenCases.Names;

    private static string RequireNft() =>
        Prerequisites.Find("nft") ?? throw new InvalidOperationException("root-tier test: 'nft' not found on PATH: install Debian package nftables");

    private static void Load(NetnsScope ns, string nft, string text, string caseName)
    {
        string file = Path.Combine(Path.GetTempPath(), $"{ns.Name}-{caseName}.nft");
        File.WriteAllText(file, text);
        try
        {
            (int exit, string output, string error) = ns.Exec(nft, "-f", file);
            Assert.True(exit == 0, $"nft -f {caseName} failed ({exit}): {error}{output}");
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static Ruleset ListRuleset(NetnsScope ns, string nft)
    {
        (int exit, string output, string error) = ns.Exec(nft, "-j", "list", "ruleset");
        Assert.True(exit == 0, $"nft -j list ruleset failed ({exit}): {error}");
        using JsonDocument doc = JsonDocument.Parse(output);
        var result = new Ruleset();
        foreach (JsonElement item in doc.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (item.TryGetProperty("table", out JsonElement table))
            {
                result.Tables.Add(table.GetProperty("family").GetString() + " " + table.GetProperty("name").GetString());
            }
            else if (item.TryGetProperty("chain", out JsonElement chain))
            {
                result.RuleCounts.TryAdd(chain.GetProperty("name").GetString()!, 0);
            }
            else if (item.TryGetProperty("rule", out JsonElement rule))
            {
                string name = rule.GetProperty("chain").GetString()!;
                result.RuleCounts[name] = result.RuleCounts.GetValueOrDefault(name) + 1;
            }
            else if (item.TryGetProperty("set", out JsonElement set) || item.TryGetProperty("map", out set))
            {
                string elements = set.TryGetProperty("elem", out JsonElement elem) ? elem.GetRawText() : string.Empty;
                result.Elements[set.GetProperty("name").GetString()!] = elements;
            }
        }

        return result;
    }

    /// <summary>The kernel holds exactly our table, with the chains, per-chain rule counts and sets/maps the text declares.</summary>
    private static void AssertMatches(string text, Ruleset ruleset)
    {
        Assert.Equal(["inet calico"], ruleset.Tables);
        var expectedRules = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var expectedSets = new SortedSet<string>(StringComparer.Ordinal);
        string? chain = null;
        foreach (string line in text.Split('\n'))
        {
            if (line.StartsWith("\tchain ", StringComparison.Ordinal))
            {
                chain = line["\tchain ".Length..^2];
                expectedRules[chain] = 0;
            }
            else if (line.StartsWith("\tset ", StringComparison.Ordinal) || line.StartsWith("\tmap ", StringComparison.Ordinal))
            {
                expectedSets.Add(line[5..^2]);
                chain = null;
            }
            else if (line == "\t}")
            {
                chain = null;
            }
            else if (chain is not null && line.StartsWith("\t\t", StringComparison.Ordinal) && !line.StartsWith("\t\ttype ", StringComparison.Ordinal))
            {
                expectedRules[chain]++;
            }
        }

        Assert.Equal(expectedRules, new SortedDictionary<string, int>(ruleset.RuleCounts, StringComparer.Ordinal));
        Assert.Equal(expectedSets, new SortedSet<string>(ruleset.Elements.Keys, StringComparer.Ordinal));
    }

    private sealed class Ruleset
    {
        public List<string> Tables { get; } = [];

        public Dictionary<string, int> RuleCounts { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string> Elements { get; } = new(StringComparer.Ordinal);
    }
}
