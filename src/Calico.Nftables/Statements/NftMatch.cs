using System.Collections.Immutable;
using System.Text;

namespace Calico.Nftables;

/// <summary>
/// <c>field [!=] value</c>, or a concatenation <c>f1 . f2 [!=] value</c>: the value is a constant, an anonymous set
/// or a named set (<c>@name</c>, a lookup). nft adds the implicit dependencies (<c>ip saddr</c> implies IPv4).
/// </summary>
public sealed class NftMatch : NftStatement
{
    public NftMatch(NftField field, NftValue value, bool negated = false)
        : this(SingleField(field), value, negated)
    {
    }

    // One array per field, shared: most matches have one field, and the array is immutable.
    private static readonly ImmutableArray<NftField>[] SingleFields = CreateSingleFields();

    private static ImmutableArray<NftField>[] CreateSingleFields()
    {
        NftField[] all = Enum.GetValues<NftField>();
        var result = new ImmutableArray<NftField>[all.Length];
        foreach (NftField field in all)
        {
            result[(int)field] = [field];
        }

        return result;
    }

    private static ImmutableArray<NftField> SingleField(NftField field) =>
        (uint)field < (uint)SingleFields.Length ? SingleFields[(int)field] : [field];

    public NftMatch(ImmutableArray<NftField> fields, NftValue value, bool negated = false)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (fields.IsDefaultOrEmpty)
        {
            throw new ArgumentException("a match needs a field", nameof(fields));
        }

        Fields = fields;
        Value = value;
        Negated = negated;
    }

    /// <summary>One field, or the parts of a concatenation.</summary>
    public ImmutableArray<NftField> Fields { get; }

    public bool IsConcatenation => Fields.Length > 1;

    public NftValue Value { get; }

    public bool Negated { get; }

    internal override void WriteTo(StringBuilder sb)
    {
        for (int i = 0; i < Fields.Length; i++)
        {
            sb.Append(i > 0 ? " . " : string.Empty).Append(NftFields.TextOf(Fields[i]));
        }

        sb.Append(Negated ? " != " : " ");
        Value.WriteTo(sb);
    }
}
