using Calico.Linux.Nft;
using Calico.Nftables;

namespace Calico.Felix.Dataplane.Nftables;

/// <summary>
/// The one place a rule gets its nf_tables netlink encoding (<see cref="NfTablesRule.TryEncode"/>, from the typed
/// rule). Encodings are cached by rule (equal rules have equal text); a set declared anew may change how a lookup of
/// it encodes, so the caller clears the cache when one is (<see cref="Clear"/>).
/// </summary>
public sealed class RuleEncoding
{
    private const int MaxCachedRules = 200_000;
    private readonly Dictionary<NftRule, NfTablesRule> _encoded = [];

    /// <summary>False, with the reason, when the rule cannot be sent over netlink (the caller falls back to <c>nft -f</c>).</summary>
    public bool Encode(NftRule rule, Func<string, bool> isIntervalSet, out NfTablesRule? encoded, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (_encoded.TryGetValue(rule, out encoded))
        {
            reason = null;
            return true;
        }

        if (!NfTablesRule.TryEncode(rule, isIntervalSet, out encoded, out reason))
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
