namespace Calico.Selectors;

/// <summary>A selector that does not parse. <see cref="Exception.Message"/> names the column and what was expected.</summary>
public sealed class SelectorSyntaxException(string message, int column) : Exception(message)
{
    /// <summary>1-based column of the offending character (the text length + 1 when the selector ended too early).</summary>
    public int Column { get; } = column;

    /// <summary>The selector text that failed to parse, when known.</summary>
    public string? Text { get; init; }
}
