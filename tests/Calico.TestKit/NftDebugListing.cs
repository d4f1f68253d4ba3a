using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace Calico.TestKit;

/// <summary>What the kernel holds, as <c>nft</c> prints it: the table's text, and each rule's expressions.</summary>
public static partial class NftDebugListing
{
    public static string ListTable(NetnsScope scope)
    {
        (int exit, string text, string error) = scope.Exec("nft", "list", "table", "inet", "calico");
        Assert.True(exit == 0, error);
        return text;
    }

    /// <summary>
    /// Each rule's expressions from <c>nft --debug=netlink list chain</c> (the kernel's own dump), with the handles
    /// dropped and every anonymous set reference replaced by that set's elements (sorted: hash order is random, and
    /// the kernel numbers anonymous sets per table).
    /// </summary>
    public static List<string> DebugRules(NetnsScope scope, string chain)
    {
        (int exit, string text, string error) = scope.Exec("nft", "--debug=netlink", "list", "chain", "inet", "calico", chain);
        Assert.True(exit == 0, error);
        var setElements = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var rules = new List<string>();
        List<string>? currentSet = null;
        StringBuilder? rule = null;
        string prefix = "inet calico " + chain + " ";
        foreach (string line in (text + "\n" + error).Split('\n'))
        {
            if (line.StartsWith("inet calico @", StringComparison.Ordinal))
            {
                currentSet = [];
                setElements[line["inet calico @".Length..].Trim()] = currentSet;
                continue;
            }

            if (line.StartsWith('\t') && line.TrimStart().StartsWith("element", StringComparison.Ordinal) && currentSet is not null)
            {
                currentSet.Add(line.Trim());
                continue;
            }

            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                currentSet = null;
                rule = new StringBuilder();
                rules.Add(string.Empty);
                continue;
            }

            if (rule is not null && line.Length > 0 && !line.StartsWith("table ", StringComparison.Ordinal) && line.StartsWith(' '))
            {
                rule.Append(line.Trim()).Append('\n');
                rules[^1] = rule.ToString();
            }
            else if (line.Length == 0)
            {
                rule = null;
            }
        }

        for (int i = 0; i < rules.Count; i++)
        {
            rules[i] = AnonymousSet().Replace(rules[i], match =>
            {
                List<string> elements = setElements.TryGetValue(match.Groups[1].Value, out List<string>? found) ? found : ["<unknown set>"];
                return "set __set{ " + string.Join(" | ", elements.Order(StringComparer.Ordinal)) + " }";
            });
        }

        return rules;
    }

    [GeneratedRegex(@"set (__set\d+)")]
    private static partial Regex AnonymousSet();
}
