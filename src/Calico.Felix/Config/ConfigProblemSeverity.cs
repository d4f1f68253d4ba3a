namespace Calico.Felix.Config;

/// <summary>How bad a configuration problem is.</summary>
public enum ConfigProblemSeverity
{
    /// <summary>Ignored input (unknown name, local-only parameter from the datastore, duplicate key).</summary>
    Warning,

    /// <summary>An invalid value; the next source down was used instead.</summary>
    Error,
}
