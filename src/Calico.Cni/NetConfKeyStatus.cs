namespace Calico.Cni;

/// <summary>What the plugin does with a top-level network configuration key (docs/cni.md has the table).</summary>
internal enum NetConfKeyStatus
{
    /// <summary>The plugin acts on the value.</summary>
    Acts,

    /// <summary>Acted on; values the plugin cannot honour are error 2 naming the key.</summary>
    ActsSomeValuesRefused,

    /// <summary>Any value other than the default is error 2 naming the key and why.</summary>
    Refused,

    /// <summary>Harmless here (Windows-only, Kubernetes client tuning, log rotation): a set value is logged as a warning.</summary>
    Warned,

    /// <summary>Added by the runtime (CNI spec); read where the spec says so, never an error.</summary>
    Runtime,
}
