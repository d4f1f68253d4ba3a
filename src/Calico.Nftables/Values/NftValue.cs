using System.Text;

namespace Calico.Nftables;

/// <summary>
/// A constant on the right of a match or inside a set element. Each value knows its nft spelling; two values are
/// equal when they are spelled the same (the spelling is canonical: the model never holds two spellings of one value).
/// </summary>
public abstract class NftValue : IEquatable<NftValue>
{
    private string? _text;

    /// <summary>The nft text of the value, formatted once.</summary>
    public string Text => _text ??= Build();

    internal void WriteTo(StringBuilder sb) => sb.Append(Text);

    /// <summary>Writes the text; called once per value (parts of a composite write their cached text).</summary>
    private protected abstract void FormatTo(StringBuilder sb);

    /// <summary>Sets the text when the value was made from text already in canonical form.</summary>
    private protected void UseText(string text) => _text = text;

    private string Build()
    {
        // Not the shared buffer: a composite's parts format their own text while it writes.
        var sb = new StringBuilder(32);
        FormatTo(sb);
        return sb.ToString();
    }

    public bool Equals(NftValue? other) => other is not null && GetType() == other.GetType() && string.Equals(Text, other.Text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as NftValue);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);

    public override string ToString() => Text;
}
