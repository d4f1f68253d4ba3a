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

    private const string CommentKeyword = " comment \"";

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

        return new NftTable(table.Sets, table.Maps, chains);
    }

    /// <summary>The hashes a stamped chain's rules carry, in order (null where a rule carries none).</summary>
    public static string?[] HashesOf(NftChain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        string?[] hashes = new string?[chain.Rules.Count];
        for (int i = 0; i < hashes.Length; i++)
        {
            hashes[i] = HashOfComment(CommentOf(chain.Rules[i]));
        }

        return hashes;
    }

    /// <summary>The hash in a comment read back from the kernel; null when it carries none.</summary>
    public static string? HashOfComment(string? comment) =>
        comment is not null && comment.Length >= Prefix.Length + Length && comment.StartsWith(Prefix, StringComparison.Ordinal)
            ? comment.Substring(Prefix.Length, Length)
            : null;

    /// <summary>The text a rule's hash is computed from (the one place to change when rules become typed).</summary>
    public static string CanonicalText(string rule) => rule;

    /// <summary>The chained hash of a rule, given the hash of the rule before it (null for the first).</summary>
    public static string Hash(string chain, string? previousHash, string rule)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(rule);
        string input = chain + "\n" + previousHash + "\n" + CanonicalText(rule);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(input), digest);
        return Convert.ToBase64String(digest[..12]).Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The rule's <c>comment "..."</c> text (rendered rules put it last); null when it has none.</summary>
    public static string? CommentOf(string rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        int at = CommentStart(rule);
        return at < 0 ? null : rule[(at + CommentKeyword.Length)..^1];
    }

    /// <summary><paramref name="rule"/> with its comment replaced by the hash, followed by its own comment.</summary>
    public static string WithHash(string rule, string hash)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(hash);
        int at = CommentStart(rule);
        string body = at < 0 ? rule : rule[..at];
        string? own = at < 0 ? null : rule[(at + CommentKeyword.Length)..^1];
        string comment = own is null ? Prefix + hash : Prefix + hash + "; " + own;
        if (Encoding.UTF8.GetByteCount(comment) > MaxCommentBytes)
        {
            int cut = MaxCommentBytes;
            while (Encoding.UTF8.GetByteCount(comment.AsSpan(0, Math.Min(cut, comment.Length))) > MaxCommentBytes || (cut < comment.Length && char.IsLowSurrogate(comment[cut])))
            {
                cut--;
            }

            comment = comment[..cut];
        }

        return body + CommentKeyword + comment + "\"";
    }

    private static NftChain StampChain(NftChain chain)
    {
        var rules = new string[chain.Rules.Count];
        string? previous = null;
        for (int i = 0; i < rules.Length; i++)
        {
            string hash = Hash(chain.Name, previous, chain.Rules[i]);
            rules[i] = WithHash(chain.Rules[i], hash);
            previous = hash;
        }

        return new NftChain(chain.Name, chain.Header, chain.Note, rules);
    }

    /// <summary>Where <c> comment "</c> starts when the rule ends with a quoted comment; -1 otherwise.</summary>
    private static int CommentStart(string rule)
    {
        if (rule.Length < CommentKeyword.Length + 1 || rule[^1] != '"')
        {
            return -1;
        }

        int at = rule.LastIndexOf(CommentKeyword, StringComparison.Ordinal);
        // Rendered comments never hold a quote (NftNames.CommentText), so the last ` comment "` opens the final one.
        return at >= 0 && rule.IndexOf('"', at + CommentKeyword.Length) == rule.Length - 1 ? at : -1;
    }
}
