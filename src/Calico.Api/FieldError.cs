namespace Calico.Api;

/// <summary>One failed validation: upstream's struct field name (e.g. "IPPoolSpec.CIDR"), the value (null: not shown), why.</summary>
public sealed record FieldError(string Field, string? Value, string Reason)
{
    /// <summary>libcalico-go's ErroredField text: "Field = 'value' (reason)".</summary>
    public override string ToString()
    {
        var text = Value is null ? Field : $"{Field} = '{Value}'";
        return Reason.Length == 0 ? text : $"{text} ({Reason})";
    }
}
