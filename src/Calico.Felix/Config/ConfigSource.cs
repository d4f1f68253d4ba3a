namespace Calico.Felix.Config;

/// <summary>Where a value came from; higher values override lower ones (upstream <c>config.Source</c> order).</summary>
public enum ConfigSource
{
    Default,
    DatastoreGlobal,
    DatastorePerSelector,
    DatastorePerHost,
    ConfigFile,
    EnvironmentVariable,
}
