using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Lifecycle;

/// <summary>How <see cref="PoolDeletion"/> runs.</summary>
public sealed record PoolDeletionOptions
{
    /// <summary>
    /// Upstream pauses 500 ms between disabling a pool and releasing its blocks so allocations in flight finish; our
    /// IPAM clients may also act on a pool list up to <c>IpamClient.CacheValidity</c> (2 s) old, so the pause covers both.
    /// </summary>
    public static readonly TimeSpan DefaultSettleDelay = TimeSpan.FromMilliseconds(2500);

    public static PoolDeletionOptions Default { get; } = new();

    /// <summary>When set, the pool must still be at this <c>resourceVersion</c> (checked first; nothing is touched on a mismatch).</summary>
    public string? ResourceVersion { get; init; }

    /// <summary>The pause after disabling (on <c>IpamClient.Time</c>); zero for none.</summary>
    public TimeSpan SettleDelay { get; init; } = DefaultSettleDelay;

    /// <summary>Called before each step (tests stop a run there by throwing, as a crash would).</summary>
    public Action<PoolDeletionStep>? BeforeStep { get; init; }

    public ILogger Logger { get; init; } = NullLogger.Instance;
}
