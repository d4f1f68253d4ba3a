namespace Calico.Goldmane.Store;

/// <summary>What the store did with one received flow.</summary>
public enum IngestOutcome
{
    /// <summary>Aggregated into its bucket.</summary>
    Added,

    /// <summary>The same key, start and end from the same node was already received (a resend after reconnecting).</summary>
    Duplicate,

    /// <summary>Its start time is outside the kept buckets: dropped and counted.</summary>
    OutOfWindow,

    /// <summary>A new key while the store holds its cap of distinct flows: dropped and counted.</summary>
    OverCapacity,

    /// <summary>No key: nothing to aggregate.</summary>
    Invalid,
}
