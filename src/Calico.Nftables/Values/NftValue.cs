using System.Text;

namespace Calico.Nftables;

/// <summary>
/// A constant on the right of a match or inside a set element. Each value knows its nft spelling; two values are
/// equal when they are spelled the same (the spelling is canonical: the model never holds two spellings of one value).
/// </summary>
public abstract class NftValue : IEquatable<NftValue>
{
    private string? _text;

    /// <summary>The nft text of the value, formatted on first use and kept.</summary>
    public string Text => _text ??= Build();

    /// <summary>
    /// Appends the text: the kept one when there is one, else formatted straight into <paramref name="sb"/> (a value
    /// inside a rule is usually written once, as part of the rule's text, so a string of its own would be waste).
    /// </summary>
    internal void WriteTo(StringBuilder sb)
    {
        if (_text is not null)
        {
            sb.Append(_text);
        }
        else
        {
            FormatTo(sb);
        }
    }

    /// <summary>Writes the text (parts of a composite through their <see cref="WriteTo"/>).</summary>
    private protected abstract void FormatTo(StringBuilder sb);

    /// <summary>Sets the text when the value was made from text already in canonical form.</summary>
    private protected void UseText(string text) => _text = text;

    private string Build()
    {
        // Not the shared buffer: a rule may be writing into it.
        var sb = new StringBuilder(32);
        FormatTo(sb);
        return sb.ToString();
    }

    public bool Equals(NftValue? other) => ReferenceEquals(this, other) || (other is not null && GetType() == other.GetType() && string.Equals(Text, other.Text, StringComparison.Ordinal));

    public override bool Equals(object? obj) => Equals(obj as NftValue);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);

    public override string ToString() => Text;
}
