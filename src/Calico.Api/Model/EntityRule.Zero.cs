namespace Calico.Api;

public sealed partial class EntityRule
{
    /// <summary>True when no field is set; upstream tags source/destination omitzero, so such a side is not written.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsZero =>
        Nets is null && Selector is null && NamespaceSelector is null && Services is null && Ports is null
        && NotNets is null && NotSelector is null && NotPorts is null && ServiceAccounts is null;
}
