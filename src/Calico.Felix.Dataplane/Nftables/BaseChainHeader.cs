using System.Globalization;

namespace Calico.Felix.Dataplane.Nftables;

/// <summary>
/// A base chain's declaration as the renderer writes it (<c>type filter hook input priority filter - 5; policy
/// accept;</c>), parsed into what NEWCHAIN carries. Priority names are nft's for the inet family.
/// </summary>
public sealed record BaseChainHeader(string Type, string Hook, int Priority, bool PolicyAccept)
{
    public static BaseChainHeader? TryParse(string header)
    {
        ArgumentNullException.ThrowIfNull(header);
        string[] clauses = header.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (clauses.Length is < 1 or > 2)
        {
            return null;
        }

        string[] words = clauses[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 6 || words[0] != "type" || words[2] != "hook" || words[4] != "priority" || ParsePriority(words.AsSpan(5)) is not { } priority)
        {
            return null;
        }

        bool accept = true;
        if (clauses.Length == 2)
        {
            switch (clauses[1])
            {
                case "policy accept":
                    break;
                case "policy drop":
                    accept = false;
                    break;
                default:
                    return null;
            }
        }

        return new BaseChainHeader(words[1], words[3], priority, accept);
    }

    private static int? ParsePriority(ReadOnlySpan<string> words)
    {
        int? Value(string word) => word switch
        {
            "raw" => -300,
            "mangle" => -150,
            "dstnat" => -100,
            "filter" => 0,
            "security" => 50,
            "srcnat" => 100,
            _ => int.TryParse(word, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) ? n : null,
        };

        if (words.Length == 1)
        {
            return Value(words[0]);
        }

        if (words.Length == 3 && Value(words[0]) is { } name && int.TryParse(words[2], NumberStyles.None, CultureInfo.InvariantCulture, out int offset))
        {
            return words[1] switch
            {
                "+" => name + offset,
                "-" => name - offset,
                _ => null,
            };
        }

        return null;
    }
}
