using System.Collections.ObjectModel;

namespace Calico.Selectors;

/// <summary>
/// A lower bound on the labels a selector can match (upstream <c>parser.LabelRestriction</c>): a
/// label index can skip every item that fails it. For <c>a == "b" &amp;&amp; has(c)</c>: a must be
/// present with value b, c must be present.
/// </summary>
public sealed class LabelRestriction : IEquatable<LabelRestriction>
{
    internal LabelRestriction(bool mustBePresent, bool mustBeAbsent, string[]? mustHaveOneOfValues)
    {
        MustBePresent = mustBePresent;
        MustBeAbsent = mustBeAbsent;
        MustHaveOneOfValues = mustHaveOneOfValues is null ? null : new ReadOnlyCollection<string>(mustHaveOneOfValues);
    }

    /// <summary>The label must be present (e.g. <c>has(a)</c>, <c>a == "x"</c>).</summary>
    public bool MustBePresent { get; }

    /// <summary>The label must be absent (<c>!has(a)</c>).</summary>
    public bool MustBeAbsent { get; }

    /// <summary>
    /// If not null, the label's value must be one of these (sorted, distinct). Null means no
    /// value restriction is known; empty means nothing can match (<c>a == "x" &amp;&amp; a == "y"</c>).
    /// </summary>
    public IReadOnlyList<string>? MustHaveOneOfValues { get; }

    /// <summary>False when the restriction contradicts itself, so the selector matches nothing.</summary>
    public bool PossibleToSatisfy => !(MustBePresent && MustBeAbsent) && MustHaveOneOfValues is not { Count: 0 };

    public bool Equals(LabelRestriction? other)
    {
        if (other is null)
        {
            return false;
        }

        if (MustBePresent != other.MustBePresent || MustBeAbsent != other.MustBeAbsent)
        {
            return false;
        }

        if (MustHaveOneOfValues is null || other.MustHaveOneOfValues is null)
        {
            return MustHaveOneOfValues is null && other.MustHaveOneOfValues is null;
        }

        if (MustHaveOneOfValues.Count != other.MustHaveOneOfValues.Count)
        {
            return false;
        }

        for (var i = 0; i < MustHaveOneOfValues.Count; i++)
        {
            if (!string.Equals(MustHaveOneOfValues[i], other.MustHaveOneOfValues[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as LabelRestriction);

    public override int GetHashCode() => HashCode.Combine(MustBePresent, MustBeAbsent, MustHaveOneOfValues?.Count ?? -1);

    public override string ToString() =>
        $"{{MustBePresent:{MustBePresent}, MustBeAbsent:{MustBeAbsent}, MustHaveOneOfValues:{(MustHaveOneOfValues is null ? "null" : "[" + string.Join(", ", MustHaveOneOfValues) + "]")}}}";
}
