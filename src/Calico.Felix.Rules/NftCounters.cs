using System.Text.Json;

namespace Calico.Felix.Rules;

/// <summary>Reads rule counters back from the kernel's JSON listing, for policy metrics.</summary>
public static class NftCounters
{
    /// <summary>
    /// Sums the <c>counter</c> statements of every rule per chain in the output of
    /// <c>nft -j list table inet calico</c>. Every listed chain appears, with zeros when its rules count nothing.
    /// </summary>
    public static IReadOnlyDictionary<string, (long Packets, long Bytes)> ParseRuleCountersByChain(string nftJsonListTableOutput)
    {
        ArgumentNullException.ThrowIfNull(nftJsonListTableOutput);
        var result = new Dictionary<string, (long Packets, long Bytes)>(StringComparer.Ordinal);
        using JsonDocument document = JsonDocument.Parse(nftJsonListTableOutput);
        if (!document.RootElement.TryGetProperty("nftables", out JsonElement items) || items.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("not nft JSON output: no top-level \"nftables\" array");
        }

        foreach (JsonElement item in items.EnumerateArray())
        {
            if (item.TryGetProperty("chain", out JsonElement chain))
            {
                result.TryAdd(chain.GetProperty("name").GetString()!, (0, 0));
            }
            else if (item.TryGetProperty("rule", out JsonElement rule))
            {
                string name = rule.GetProperty("chain").GetString()!;
                var (packets, bytes) = result.GetValueOrDefault(name);
                if (rule.TryGetProperty("expr", out JsonElement statements))
                {
                    foreach (JsonElement statement in statements.EnumerateArray())
                    {
                        // An anonymous counter is an object; a named counter reference is a string and counts elsewhere.
                        if (statement.TryGetProperty("counter", out JsonElement counter) && counter.ValueKind == JsonValueKind.Object)
                        {
                            packets += counter.GetProperty("packets").GetInt64();
                            bytes += counter.GetProperty("bytes").GetInt64();
                        }
                    }
                }

                result[name] = (packets, bytes);
            }
        }

        return result;
    }
}
