namespace Calico.Bird;

/// <summary>The inputs cannot be rendered: names the offending field and value (e.g. this node has no BGP address).</summary>
public sealed class BirdInputException(string field, string? value, string reason)
    : Exception($"error with field {field} = '{value}' ({reason})")
{
    public string Field { get; } = field;

    public string? Value { get; } = value;
}
