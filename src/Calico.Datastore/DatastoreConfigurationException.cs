namespace Calico.Datastore;

/// <summary>A datastore option is invalid; <see cref="Field"/> and <see cref="Value"/> name what to fix.</summary>
public sealed class DatastoreConfigurationException : Exception
{
    public DatastoreConfigurationException(string field, string? value, string reason)
        : base($"invalid datastore option {field}={Quote(value)}: {reason}")
    {
        Field = field;
        Value = value;
    }

    /// <summary>The option's upstream environment name (e.g. <c>ETCD_ENDPOINTS</c>).</summary>
    public string Field { get; }

    /// <summary>The offending value, null when absent.</summary>
    public string? Value { get; }

    private static string Quote(string? value) => value is null ? "<unset>" : $"\"{value}\"";
}
