namespace Calico.Api.Support;

/// <summary>A resource sets a refused or ignored field to something other than its default.</summary>
/// <param name="Name">The resource's name, <c>namespace/name</c> for a namespaced kind.</param>
/// <param name="Value">The value as text (JSON for a list or an object).</param>
public sealed record SupportFinding(string Kind, string Name, string Path, string Value, FieldSupport Entry)
{
    public SupportStatus Status => Entry.Status;

    /// <summary>The field as a metric label and in logs: its path, or the kind for a kind-level row.</summary>
    public string Field => Entry.IsKindLevel ? Kind : Path;

    /// <summary>calicoctl's warning line for an ignored setting.</summary>
    public string Warning => Entry.IsKindLevel
        ? $"Warning: {Kind} \"{Name}\": {Kind} is ignored ({Entry.Reason})"
        : $"Warning: {Kind} \"{Name}\": {Path} = '{Value}' is ignored ({Entry.Reason})";

    /// <summary>The refusal in libcalico-go's validation shape: <c>field = 'value' (reason)</c>.</summary>
    public FieldError ToFieldError() => Entry.IsKindLevel
        ? new FieldError(Kind, null, $"{Kind} \"{Name}\" is not supported: {Entry.Reason}")
        : new FieldError(Path, Value, $"{Kind} \"{Name}\": not supported: {Entry.Reason}");

    /// <summary>What calico-node shows on /readiness: <c>GlobalNetworkPolicy "x" sets preDNAT</c>.</summary>
    public string Summary => Entry.IsKindLevel
        ? $"{Kind} \"{Name}\" is not supported"
        : Entry.WhenAbsent
            ? $"{Kind} \"{Name}\" has no {LastSegment(Path)}"
            : $"{Kind} \"{Name}\" sets {LastSegment(Path)}";

    private static string LastSegment(string path)
    {
        var dot = path.LastIndexOf('.');
        return dot < 0 ? path : path[(dot + 1)..];
    }
}
