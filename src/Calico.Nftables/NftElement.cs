namespace Calico.Nftables;

/// <summary>
/// One element of a set (a key: address, prefix, port range, concatenation...) or map (key and value, <c>key : value</c>).
/// Equal when the text is.
/// </summary>
public sealed class NftElement : IEquatable<NftElement>
{
    public NftElement(NftValue key, NftVerdict? value = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        Key = key;
        Value = value;
        Text = value is null ? key.Text : key.Text + " : " + value;
    }

    public NftValue Key { get; }

    /// <summary>A map element's value, null in a set.</summary>
    public NftVerdict? Value { get; }

    public string Text { get; }

    public bool Equals(NftElement? other) => other is not null && string.Equals(Text, other.Text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as NftElement);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);

    public override string ToString() => Text;
}
