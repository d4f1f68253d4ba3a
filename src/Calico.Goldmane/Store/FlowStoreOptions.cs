namespace Calico.Goldmane.Store;

/// <summary>How much the store keeps: bucket width, number of buckets, and the caps that bound its memory.</summary>
public sealed record FlowStoreOptions
{
    /// <summary>Upstream's default aggregation window (AGGREGATION_WINDOW).</summary>
    public const int DefaultBucketSeconds = 15;

    /// <summary>Upstream's numBuckets: 240 of history (1 h at 15 s), the one filling now, and one in the future for clock skew.</summary>
    public const int DefaultBucketCount = 242;

    /// <summary>Distinct flow keys kept at once; a new key beyond it is dropped and counted.</summary>
    public const int DefaultMaxFlows = 250_000;

    /// <summary>How long a (key, start, end, node) stays remembered to drop its resend after a reconnection (upstream: 5 min).</summary>
    public static readonly TimeSpan DefaultDedupeExpiry = TimeSpan.FromMinutes(5);

    /// <summary>Width of one aggregation bucket in seconds.</summary>
    public int BucketSeconds { get; init; } = DefaultBucketSeconds;

    /// <summary>Number of buckets in the ring (history = (count - 2) x width).</summary>
    public int BucketCount { get; init; } = DefaultBucketCount;

    /// <summary>Cap on distinct flow keys in memory.</summary>
    public int MaxFlows { get; init; } = DefaultMaxFlows;

    /// <summary>Cap on matching results queued for one slow Stream client before it loses some (counted).</summary>
    public int StreamBufferSize { get; init; } = 10_000;

    /// <summary>Cap on concurrent Stream clients (upstream answers ResourceExhausted beyond its own).</summary>
    public int MaxStreams { get; init; } = 100;

    /// <summary>Expiry of the resend-deduplication memory.</summary>
    public TimeSpan DedupeExpiry { get; init; } = DefaultDedupeExpiry;

    /// <summary>Throws <see cref="ArgumentException"/> naming the option and the bad value.</summary>
    public void Validate()
    {
        if (BucketSeconds < 1)
        {
            throw new ArgumentException($"--window: {BucketSeconds} s is not a positive number of seconds");
        }

        if (BucketCount < 3)
        {
            throw new ArgumentException($"--buckets: {BucketCount} is fewer than 3 (one of history, the current one and one ahead)");
        }

        if (MaxFlows < 1)
        {
            throw new ArgumentException($"--max-flows: {MaxFlows} is not a positive number");
        }
    }
}
