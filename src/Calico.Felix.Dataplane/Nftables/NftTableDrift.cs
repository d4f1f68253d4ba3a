using System.Globalization;
using System.Text;
using System.Text.Json;
using Calico.Felix.Rules.Planning;
using Calico.Nftables;

namespace Calico.Felix.Dataplane.Nftables;

/// <summary>
/// Drift by rule: compares the table last applied (its rules stamped with <see cref="NftRuleHash"/>) with
/// <c>nft -j list table inet calico</c>. Per chain, the list of rule hashes read from the rule comments must equal
/// ours, in order: a rule edited in place (its comment replaced or lost), added, deleted or moved shows. Per set or
/// map, the elements must be the same (both sides brought to one canonical text). Extra chains or sets show too.
/// What it cannot see, as upstream: a rule replaced by hand with a different body that copies our comment.
/// </summary>
public static class NftTableDrift
{
    /// <summary>The first difference, for the log; null when the kernel holds exactly <paramref name="applied"/>.</summary>
    public static string? Difference(NftTable applied, string? json)
    {
        ArgumentNullException.ThrowIfNull(applied);
        if (json is null)
        {
            return "table inet calico is missing";
        }

        var (chains, sets) = Read(json);
        foreach (NftChain chain in applied.Chains)
        {
            if (!chains.TryGetValue(chain.Name, out List<string?>? found))
            {
                return $"chain {chain.Name} is missing";
            }

            string?[] expected = NftRuleHash.HashesOf(chain);
            if (found.Count != expected.Length)
            {
                return string.Create(CultureInfo.InvariantCulture, $"chain {chain.Name} has {found.Count} rules, expected {expected.Length}");
            }

            for (int i = 0; i < expected.Length; i++)
            {
                if (!string.Equals(found[i], expected[i], StringComparison.Ordinal))
                {
                    return string.Create(CultureInfo.InvariantCulture, $"chain {chain.Name} rule {i + 1} differs (hash {found[i] ?? "none"}, expected {expected[i]})");
                }
            }
        }

        foreach (string chain in chains.Keys)
        {
            if (!applied.ChainsByName.ContainsKey(chain))
            {
                return $"unexpected chain {chain}";
            }
        }

        foreach (NftSet set in applied.SetsByName.Values)
        {
            if (!sets.TryGetValue(set.Name, out HashSet<string>? found))
            {
                return $"set {set.Name} is missing";
            }

            if (found.Count != set.Elements.Count)
            {
                return string.Create(CultureInfo.InvariantCulture, $"set {set.Name} has {found.Count} elements, expected {set.Elements.Count}");
            }

            foreach (string element in set.Elements)
            {
                if (!found.Contains(Canonical(element)))
                {
                    return $"set {set.Name} lacks element {element}";
                }
            }
        }

        foreach (string set in sets.Keys)
        {
            if (!applied.SetsByName.ContainsKey(set))
            {
                return $"unexpected set {set}";
            }
        }

        return null;
    }

    private static (Dictionary<string, List<string?>> Chains, Dictionary<string, HashSet<string>> Sets) Read(string json)
    {
        var chains = new Dictionary<string, List<string?>>(StringComparer.Ordinal);
        var sets = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        using JsonDocument doc = JsonDocument.Parse(json);
        foreach (JsonElement item in doc.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (item.TryGetProperty("chain", out JsonElement chain))
            {
                chains.TryAdd(chain.GetProperty("name").GetString()!, []);
            }
            else if (item.TryGetProperty("rule", out JsonElement rule))
            {
                string name = rule.GetProperty("chain").GetString()!;
                if (!chains.TryGetValue(name, out List<string?>? hashes))
                {
                    chains[name] = hashes = [];
                }

                string? comment = rule.TryGetProperty("comment", out JsonElement c) ? c.GetString() : null;
                hashes.Add(NftRuleHash.HashOfComment(comment));
            }
            else if (item.TryGetProperty("set", out JsonElement set) || item.TryGetProperty("map", out set))
            {
                var elements = new HashSet<string>(StringComparer.Ordinal);
                if (set.TryGetProperty("elem", out JsonElement elems) && elems.ValueKind == JsonValueKind.Array)
                {
                    foreach (JsonElement element in elems.EnumerateArray())
                    {
                        elements.Add(CanonicalJson(element));
                    }
                }

                sets[set.GetProperty("name").GetString()!] = elements;
            }
        }

        return (chains, sets);
    }

    /// <summary>One element read back, as the text <see cref="Canonical"/> gives for the element we rendered.</summary>
    private static string CanonicalJson(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return Canonical(element.GetString()!);
            case JsonValueKind.Number:
                return Canonical(element.GetRawText());
            case JsonValueKind.Array when element.GetArrayLength() == 2:
                // A map element: [key, verdict].
                return "\"" + element[0].GetString() + "\" : " + Verdict(element[1]);
            case JsonValueKind.Object:
                if (element.TryGetProperty("elem", out JsonElement inner))
                {
                    return CanonicalJson(inner.TryGetProperty("val", out JsonElement val) ? val : inner);
                }

                if (element.TryGetProperty("prefix", out JsonElement prefix))
                {
                    return Canonical(prefix.GetProperty("addr").GetString() + "/" + prefix.GetProperty("len").GetRawText());
                }

                if (element.TryGetProperty("range", out JsonElement range))
                {
                    return CanonicalJson(range[0]) + "-" + CanonicalJson(range[1]);
                }

                if (element.TryGetProperty("concat", out JsonElement concat))
                {
                    var sb = new StringBuilder();
                    foreach (JsonElement part in concat.EnumerateArray())
                    {
                        sb.Append(sb.Length == 0 ? "" : " . ").Append(CanonicalJson(part));
                    }

                    return sb.ToString();
                }

                break;
        }

        return element.GetRawText();
    }

    private static string Verdict(JsonElement verdict)
    {
        foreach (JsonProperty property in verdict.EnumerateObject())
        {
            return property.Value.ValueKind == JsonValueKind.Object && property.Value.TryGetProperty("target", out JsonElement target)
                ? property.Name + " " + target.GetString()
                : property.Name;
        }

        return verdict.GetRawText();
    }

    /// <summary>
    /// An element's text in one form for both sides: concatenation parts each canonical, a host prefix (/32, /128)
    /// as the bare address (how nft lists it), protocol numbers by nft's names.
    /// </summary>
    internal static string Canonical(string element)
    {
        if (element.Length > 0 && element[0] == '"')
        {
            int close = element.IndexOf('"', 1);
            int colon = close < 0 ? -1 : element.IndexOf(':', close);
            return colon < 0 ? element : element[..(close + 1)] + " : " + element[(colon + 1)..].Trim();
        }

        if (!element.Contains(" . ", StringComparison.Ordinal))
        {
            return CanonicalPart(element);
        }

        string[] parts = element.Split(" . ");
        for (int i = 0; i < parts.Length; i++)
        {
            parts[i] = CanonicalPart(parts[i]);
        }

        return string.Join(" . ", parts);
    }

    private static string CanonicalPart(string part)
    {
        part = part.Trim();
        if (part.EndsWith("/32", StringComparison.Ordinal) && !part.Contains(':', StringComparison.Ordinal))
        {
            return part[..^3];
        }

        if (part.EndsWith("/128", StringComparison.Ordinal) && part.Contains(':', StringComparison.Ordinal))
        {
            return part[..^4];
        }

        return part switch
        {
            "1" or "icmp" => "icmp",
            "6" or "tcp" => "tcp",
            "17" or "udp" => "udp",
            "132" or "sctp" => "sctp",
            "58" or "ipv6-icmp" or "icmpv6" => "ipv6-icmp",
            _ => part,
        };
    }
}
