using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Calico.Selectors.Evaluation;
using Calico.Selectors.Hashing;
using Calico.Selectors.Parsing;

namespace Calico.Selectors;

/// <summary>
/// A parsed Calico label selector (upstream <c>libcalico-go/lib/selector</c>). Immutable and safe to
/// share across threads; parse once, then <see cref="Matches(IReadOnlyDictionary{string, string})"/>
/// allocates nothing.
/// </summary>
public sealed class Selector : IEquatable<Selector>
{
    private readonly CompiledSelector _compiled;
    private string? _uniqueId;
    private string[]? _labelKeys;

    /// <summary>
    /// The deepest parenthesis nesting <see cref="Parse"/> accepts. Resources are held to less
    /// (Calico.Api's validator: 100) because a canonical form can be one level deeper than its source
    /// and Felix nests a policy's selectors a few levels further when it combines them with
    /// namespace and service-account selectors; those must still parse.
    /// </summary>
    public const int MaxNesting = 128;

    /// <summary>
    /// The longest selector text <see cref="Parse"/> accepts, in UTF-16 characters: 1 MiB, below etcd's
    /// default 1.5 MiB request limit that bounds any selector upstream can store.
    /// </summary>
    public const int MaxLength = 1 << 20;

    private Selector(SelectorNode root, int nesting = 0)
    {
        Root = root;
        Nesting = nesting;
        var sb = new StringBuilder();
        root.AppendCanonical(sb);
        Canonical = sb.ToString();
        _compiled = CompiledSelector.Compile(root);
    }

    /// <summary>Matches everything (<c>all()</c>).</summary>
    public static Selector All { get; } = new(AllNode.Instance);

    /// <summary>Matches nothing (<c>!all()</c>), as upstream's <c>selector.NoMatch</c>.</summary>
    public static Selector NoMatch { get; } = new(new NotNode(AllNode.Instance));

    /// <summary>Canonical string form, as upstream prints it (empty selector is <c>all()</c>).</summary>
    public string Canonical { get; }

    /// <summary>The deepest parenthesis nesting in the parsed text (0 for none).</summary>
    public int Nesting { get; }

    /// <summary>The expression tree; walk it by pattern matching on the <see cref="SelectorNode"/> subclasses.</summary>
    public SelectorNode Root { get; }

    /// <summary>
    /// Upstream's <c>UniqueID()</c>: <c>"s:" + base64url-no-padding(SHA-224("s:" + Canonical))</c>.
    /// Equal for equal canonical forms; Felix names selector ipsets with it.
    /// </summary>
    public string UniqueId => _uniqueId ??= ComputeUniqueId(Canonical);

    /// <summary>Every label name the selector reads, sorted, each once (including under <c>!</c>, <c>!=</c>, <c>not in</c>).</summary>
    public IReadOnlyList<string> LabelKeys => _labelKeys ??= CollectLabelKeys(Root);

    /// <summary>
    /// Parses a selector; throws <see cref="SelectorSyntaxException"/> naming the column and what was expected,
    /// also for text longer than <see cref="MaxLength"/> or nested deeper than <see cref="MaxNesting"/>.
    /// </summary>
    public static Selector Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var root = Parser.Parse(text, out var nesting);
        return new Selector(root, nesting);
    }

    /// <summary>Parses without throwing; <paramref name="error"/> explains a failure.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out Selector? selector, [NotNullWhen(false)] out SelectorSyntaxException? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            var root = Parser.Parse(text, out var nesting);
            selector = new Selector(root, nesting);
            error = null;
            return true;
        }
        catch (SelectorSyntaxException e)
        {
            selector = null;
            error = e;
            return false;
        }
    }

    /// <summary>True if <paramref name="label"/> is a valid label name in the selector grammar (upstream <c>tokenizer.ValidLabel</c>).</summary>
    public static bool IsValidLabelName(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        return Lexer.IsValidLabel(label);
    }

    /// <summary>Upstream <c>selector.Normalise</c>: the canonical form, or the trimmed input unchanged if it does not parse.</summary>
    public static string Normalise(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        return TryParse(trimmed, out var selector, out _) ? selector.Canonical : trimmed;
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var source = new DictionaryLabelSource(labels);
        return _compiled.Evaluate(ref source);
    }

    /// <summary>Evaluates over any label lookup; a struct source is specialised, so nothing is boxed.</summary>
    public bool Matches<TLabels>(TLabels labels)
        where TLabels : ILabelSource
    {
        // Not ArgumentNullException.ThrowIfNull, nor a bare "is null": unoptimised (tier-0) code
        // boxes a struct for either. Value types are never null, so skip the test for them.
        if (!typeof(TLabels).IsValueType && labels is null)
        {
            throw new ArgumentNullException(nameof(labels));
        }

        return _compiled.Evaluate(ref labels);
    }

    /// <summary>
    /// The selector with <paramref name="prefix"/> put before every label name (upstream's
    /// <c>PrefixVisitor</c>, used to turn namespace and service-account selectors into
    /// <c>pcns.</c>/<c>pcsa.</c> selectors).
    /// </summary>
    public Selector WithLabelPrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        foreach (var c in prefix)
        {
            if (!Lexer.IsLabelChar(c))
            {
                throw new ArgumentException($"label prefix '{prefix}' contains '{c}', which is not allowed in a label name", nameof(prefix));
            }
        }

        return prefix.Length == 0 ? this : new Selector(Root.WithLabelPrefix(prefix), Nesting);
    }

    /// <summary>
    /// Lower bounds on the labels of anything this selector matches, keyed by label name (upstream
    /// <c>LabelRestrictions()</c>); empty when nothing is known. Computed on each call.
    /// </summary>
    public IReadOnlyDictionary<string, LabelRestriction> GetLabelRestrictions() => LabelRestrictionAnalysis.Compute(Root);

    public bool Equals(Selector? other) => other is not null && string.Equals(Canonical, other.Canonical, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as Selector);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Canonical);

    public override string ToString() => Canonical;

    internal static string ComputeUniqueId(string canonical)
    {
        var input = Encoding.UTF8.GetBytes("s:" + canonical);
        Span<byte> hash = stackalloc byte[Sha224.HashSizeInBytes];
        Sha224.HashData(input, hash);
        return "s:" + Base64Url.EncodeToString(hash);
    }

    private static string[] CollectLabelKeys(SelectorNode root)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        Collect(root, keys);
        return [.. keys];

        static void Collect(SelectorNode node, SortedSet<string> keys)
        {
            switch (node)
            {
                case HasNode has: keys.Add(has.Label); break;
                case LabelComparisonNode cmp: keys.Add(cmp.Label); break;
                case LabelSetNode set: keys.Add(set.Label); break;
                case NotNode not: Collect(not.Operand, keys); break;
                case AndNode and:
                    foreach (var operand in and.Operands)
                    {
                        Collect(operand, keys);
                    }

                    break;
                case OrNode or:
                    foreach (var operand in or.Operands)
                    {
                        Collect(operand, keys);
                    }

                    break;
            }
        }
    }
}
