using Calico.Linux.Nft;

namespace Calico.Felix.Dataplane.Nftables;

/// <summary>
/// The one place a rule gets its nf_tables netlink encoding (today compiled from its text; with typed rules, from
/// the rule itself). Encodings are cached by rule text; a set declared anew may change how a lookup of it encodes,
/// so the caller clears the cache when one is (<see cref="Clear"/>).
/// </summary>
public sealed class RuleEncoding
{
    private const int MaxCachedRules = 200_000;
    private readonly Dictionary<string, NftRule> _encoded = new(StringComparer.Ordinal);

    /// <summary>False, with the reason, when the rule cannot be sent over netlink (the caller falls back to <c>nft -f</c>).</summary>
    public bool Encode(string rule, Func<string, bool> isIntervalSet, out NftRule? encoded, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (_encoded.TryGetValue(rule, out encoded))
        {
            reason = null;
            return true;
        }

        if (!NftRule.TryCompile(rule, isIntervalSet, out encoded, out reason))
        {
            return false;
        }

        if (_encoded.Count >= MaxCachedRules)
        {
            _encoded.Clear();
        }

        _encoded[rule] = encoded!;
        return true;
    }

    public void Clear() => _encoded.Clear();
}
