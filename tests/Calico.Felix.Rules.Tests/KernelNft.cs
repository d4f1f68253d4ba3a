using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Calico.TestKit;

namespace Calico.Felix.Rules.Tests;

/// <summary>nft inside one test namespace: load transactions, and list the table in a form two kernels can be compared by.</summary>
internal sealed partial class KernelNft
{
    private readonly NetnsScope _ns;
    private readonly string _nft;

    public KernelNft(NetnsScope ns)
    {
        _ns = ns;
        _nft = Prerequisites.Find("nft") ?? throw new InvalidOperationException("root-tier test: 'nft' not found on PATH: install Debian package nftables");
    }

    /// <summary>Applies one transaction; a failure names what was being applied and shows the text.</summary>
    public void Apply(string text, string what)
    {
        string file = Path.Combine(Path.GetTempPath(), $"{_ns.Name}-{Guid.NewGuid():N}.nft");
        File.WriteAllText(file, text);
        try
        {
            (int exit, string output, string error) = _ns.Exec(_nft, "-f", file);
            Assert.True(exit == 0, $"nft -f ({what}) failed ({exit}): {error}{output}\n--- text ---\n{text}");
        }
        finally
        {
            File.Delete(file);
        }
    }

    public string ListJson()
    {
        (int exit, string output, string error) = _ns.Exec(_nft, "-j", "list", "table", "inet", "calico");
        Assert.True(exit == 0, $"nft -j list table failed ({exit}): {error}");
        return output;
    }

    /// <summary>
    /// The table as sorted text: handles dropped, counters zeroed, set elements sorted (a hash set lists in insertion
    /// history order), chains and sets by name, rules in chain order.
    /// </summary>
    public string ListCanonical()
    {
        string json = Handle().Replace(Counter().Replace(ListJson(), "\"counter\":{}"), string.Empty);
        using JsonDocument doc = JsonDocument.Parse(json);
        var objects = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var rules = new SortedDictionary<string, StringBuilder>(StringComparer.Ordinal);
        foreach (JsonElement item in doc.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (item.TryGetProperty("chain", out JsonElement chain))
            {
                objects["chain " + chain.GetProperty("name").GetString()] = chain.GetRawText();
            }
            else if (item.TryGetProperty("set", out JsonElement set) || item.TryGetProperty("map", out set))
            {
                var elements = new List<string>();
                if (set.TryGetProperty("elem", out JsonElement elem))
                {
                    foreach (JsonElement e in elem.EnumerateArray())
                    {
                        elements.Add(e.GetRawText());
                    }
                }

                elements.Sort(StringComparer.Ordinal);
                string type = set.GetProperty("type").GetRawText() + (set.TryGetProperty("flags", out JsonElement flags) ? flags.GetRawText() : string.Empty)
                    + (set.TryGetProperty("map", out JsonElement map) ? " map " + map.GetRawText() : string.Empty);
                objects["set " + set.GetProperty("name").GetString()] = type + "\n    " + string.Join("\n    ", elements);
            }
            else if (item.TryGetProperty("rule", out JsonElement rule))
            {
                string name = rule.GetProperty("chain").GetString()!;
                if (!rules.TryGetValue(name, out StringBuilder? sb))
                {
                    rules[name] = sb = new StringBuilder();
                }

                sb.Append("  ").Append(rule.GetProperty("expr").GetRawText());
                if (rule.TryGetProperty("comment", out JsonElement comment))
                {
                    sb.Append(" comment ").Append(comment.GetString());
                }

                sb.Append('\n');
            }
        }

        var result = new StringBuilder();
        foreach (var (key, value) in objects)
        {
            result.Append(key).Append(": ").Append(value).Append('\n');
            if (key.StartsWith("chain ", StringComparison.Ordinal) && rules.TryGetValue(key[6..], out StringBuilder? body))
            {
                result.Append(body);
            }
        }

        return result.ToString();
    }

    [GeneratedRegex("\"counter\":\\s*\\{\\s*\"packets\":\\s*\\d+,\\s*\"bytes\":\\s*\\d+\\s*\\}")]
    private static partial Regex Counter();

    [GeneratedRegex(",?\\s*\"handle\":\\s*\\d+")]
    private static partial Regex Handle();
}
