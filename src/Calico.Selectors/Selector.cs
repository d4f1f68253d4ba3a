namespace Calico.Selectors;

/// <summary>A parsed Calico selector. STUB: the selectors helper replaces this file's body.</summary>
public sealed class Selector
{
    private Selector(string canonical) => Canonical = canonical;

    /// <summary>Canonical string form, as upstream prints it (empty selector is <c>all()</c>).</summary>
    public string Canonical { get; }

    /// <summary>Parses a selector; throws <see cref="SelectorSyntaxException"/> naming the column and what was expected.</summary>
    public static Selector Parse(string text) => throw new NotImplementedException(text);

    public bool Matches(IReadOnlyDictionary<string, string> labels) => throw new NotImplementedException(labels.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public override string ToString() => Canonical;
}

/// <summary>A selector that does not parse. <see cref="Exception.Message"/> names the column and what was expected.</summary>
public sealed class SelectorSyntaxException(string message, int column) : Exception(message)
{
    /// <summary>1-based column of the offending character.</summary>
    public int Column { get; } = column;
}
