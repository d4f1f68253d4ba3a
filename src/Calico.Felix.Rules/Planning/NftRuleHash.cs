using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace Calico.Felix.Rules.Planning;

/// <summary>
/// Per-rule content hashes, carried in each rule's comment so drift is found rule by rule (upstream Felix does the
/// same: a chained hash per rule in a <c>cali:</c> comment). nft stores a rule's comment as its userdata, so
/// <c>comment "..."</c> in a script and the comment TLV sent over netlink are the same bytes.
/// <para>
/// The hash of rule <c>i</c> of a chain covers the chain's name, the hash of rule <c>i-1</c> and rule <c>i</c>'s
/// canonical text (its own comment included), so an edited, added, removed or moved rule changes the hashes read
/// back. It is 16 characters of base64url of SHA-256 (96 bits).
/// </para>
/// <para>
/// Sharing the comment: the kernel comment is <c>cali:&lt;hash&gt;</c>, then, when the rule has a comment of its
/// own, <c>"; "</c> and that comment, cut so the whole stays within nft's 128-byte limit. The hash comes first so
/// a cut never touches it; readers of <c>nft list</c> still see the rule's own comment after it.
/// </para>
/// </summary>
public static class NftRuleHash
{
    public const string Prefix = "cali:";

    /// <summary>Characters of the hash after <see cref="Prefix"/>.</summary>
    public const int Length = 16;

    /// <summary>nft refuses a longer comment (NFTNL_UDATA_COMMENT_MAXLEN).</summary>
    public const int MaxCommentBytes = 128;

    private static readonly ConditionalWeakTable<NftChain, NftChain> Stamped = new();

    /// <summary>
    /// <paramref name="table"/> with every rule's comment carrying its hash. Chains are stamped once per chain
    /// object (the renderer reuses unchanged chains), so an apply stamps only what changed.
    /// </summary>
    public static NftTable Stamp(NftTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var chains = new List<NftChain>(table.Chains.Count);
        foreach (NftChain chain in table.Chains)
        {
            chains.Add(Stamped.GetValue(chain, StampChain));
        }

        return new NftTable(table.Name, table.Sets, table.Maps, chains);
    }

    /// <summary>The hashes a stamped chain's rules carry, in order (null where a rule carries none).</summary>
    public static string?[] HashesOf(NftChain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        string?[] hashes = new string?[chain.Rules.Count];
        for (int i = 0; i < hashes.Length; i++)
        {
            hashes[i] = HashOfComment(chain.Rules[i].Comment);
        }

        return hashes;
    }

    /// <summary>The hash in a comment read back from the kernel; null when it carries none.</summary>
    public static string? HashOfComment(string? comment) =>
        comment is not null && comment.Length >= Prefix.Length + Length && comment.StartsWith(Prefix, StringComparison.Ordinal)
            ? comment.Substring(Prefix.Length, Length)
            : null;

    /// <summary>
    /// The text a rule's hash is computed from: its canonical nft text before stamping (its own comment included),
    /// so equal rules hash equally and any change to a statement or the comment changes the hash.
    /// </summary>
    public static string CanonicalText(NftRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return rule.Text;
    }

    /// <summary>The chained hash of a rule (not yet stamped), given the hash of the rule before it (null for the first).</summary>
    public static string Hash(string chain, string? previousHash, NftRule rule)
    {
        ArgumentNullException.ThrowIfNull(chain);
        string input = chain + "\n" + previousHash + "\n" + CanonicalText(rule);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(input), digest);
        return Convert.ToBase64String(digest[..12]).Replace('+', '-').Replace('/', '_');
    }

    /// <summary>
    /// <paramref name="rule"/>'s statements with the comment <c>cali:&lt;hash&gt;</c>, followed by <c>"; "</c> and the
    /// rule's own comment when it has one, cut so the whole stays within <see cref="MaxCommentBytes"/>.
    /// </summary>
    public static NftRule WithHash(NftRule rule, string hash)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(hash);
        string comment = rule.Comment is null ? Prefix + hash : Prefix + hash + "; " + rule.Comment;
        if (Encoding.UTF8.GetByteCount(comment) > MaxCommentBytes)
        {
            int cut = MaxCommentBytes;
            while (Encoding.UTF8.GetByteCount(comment.AsSpan(0, Math.Min(cut, comment.Length))) > MaxCommentBytes || (cut < comment.Length && char.IsLowSurrogate(comment[cut])))
            {
                cut--;
            }

            comment = comment[..cut];
        }

        return new NftRule(rule.Statements, comment);
    }

    private static NftChain StampChain(NftChain chain)
    {
        var rules = new NftRule[chain.Rules.Count];
        string? previous = null;
        for (int i = 0; i < rules.Length; i++)
        {
            string hash = Hash(chain.Name, previous, chain.Rules[i]);
            rules[i] = WithHash(chain.Rules[i], hash);
            previous = hash;
        }

        return new NftChain(chain.Name, chain.Header, chain.Note, rules);
    }
}
