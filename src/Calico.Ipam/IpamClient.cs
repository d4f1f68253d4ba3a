using System.Net;
using Calico.Datastore;
using Calico.Ipam.Storage;

namespace Calico.Ipam;

/// <summary>
/// Calico IPAM over the datastore seam (upstream libcalico-go/lib/ipam semantics and storage). Every write is a
/// compare-and-swap on the revision it read, retried up to <see cref="MaxRetries"/> times, so many processes on one
/// or many hosts may allocate at once. See DESIGN.md for the invariants.
/// </summary>
public sealed partial class IpamClient
{
    /// <summary>Upstream's datastoreRetries.</summary>
    public const int MaxRetries = 100;

    /// <summary>Upstream's default per-host block limit when neither the request nor the config sets one.</summary>
    public const int DefaultMaxBlocksPerHost = 20;

    /// <summary>An empty block affine to another host may be reclaimed once its claim is this old (EmptyBlockMinReclaimAge).</summary>
    public static readonly TimeSpan EmptyBlockMinReclaimAge = TimeSpan.FromMinutes(1);

    private readonly Calico.Client.ResourceClient _resources;
    private long _casRetries;

    public IpamClient(IKeyValueStore store, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(timeProvider);
        Store = store;
        Time = timeProvider;
        _resources = new Calico.Client.ResourceClient(store, timeProvider);
    }

    public IKeyValueStore Store { get; }

    public TimeProvider Time { get; }

    /// <summary>Total CAS conflicts that caused a retry, over this client's life (for benchmarks and diagnostics).</summary>
    public long CasRetries => Interlocked.Read(ref _casRetries);

    /// <summary>Assigns addresses from the host's affine blocks (claiming or borrowing as upstream). Throws <see cref="IpamException"/> when it cannot.</summary>
    public Task<AutoAssignResult> AutoAssignAsync(AutoAssignArgs args, CancellationToken cancellationToken) => AutoAssignCoreAsync(args, cancellationToken);

    /// <summary>Assigns one specific address (claiming its block's affinity when unclaimed). Throws <see cref="IpamException"/> when in use or outside every pool.</summary>
    public Task AssignIpAsync(AssignIpArgs args, CancellationToken cancellationToken) => AssignIpCoreAsync(args, cancellationToken);

    /// <summary>Releases every address of a handle; false when the handle does not exist (not an error).</summary>
    public Task<bool> ReleaseByHandleAsync(string handleId, CancellationToken cancellationToken) => ReleaseByHandleCoreAsync(handleId, cancellationToken);

    /// <summary>Releases addresses; returns those that were not allocated.</summary>
    public async Task<IReadOnlyList<IPAddress>> ReleaseIpsAsync(IReadOnlyList<IPAddress> addresses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var options = new List<ReleaseOptions>(addresses.Count);
        foreach (var a in addresses)
        {
            options.Add(new ReleaseOptions(a));
        }

        var result = await ReleaseAsync(options, cancellationToken).ConfigureAwait(false);
        return result.NotAllocated;
    }

    /// <summary>The addresses a handle holds.</summary>
    public Task<IReadOnlyList<IPAddress>> IpsByHandleAsync(string handleId, CancellationToken cancellationToken) => IpsByHandleCoreAsync(handleId, cancellationToken);

    private void CountRetry(Attempt attempt)
    {
        attempt.Retries++;
        Interlocked.Increment(ref _casRetries);
    }

    /// <summary>Per-call retry bookkeeping.</summary>
    private sealed class Attempt
    {
        public int Retries { get; set; }

        /// <summary>Whether this pass may use cached inputs, affinities and blocks.</summary>
        public bool UseCache { get; init; }

        /// <summary>Set when something cached was used: a failure is then redone from fresh reads before it is reported.</summary>
        public bool UsedCache { get; set; }

        /// <summary>The handle as this call last read or wrote it (so its next CAS needs no read); null when unknown.</summary>
        public string? KnownHandleId { get; set; }

        public Versioned<IpamHandleData>? KnownHandle { get; set; }
    }
}

/// <summary>What to assign. Pools are CIDRs or IPPool names; empty = every enabled pool of that family usable on the host.</summary>
public sealed record AutoAssignArgs
{
    public int Num4 { get; init; } = 1;

    public int Num6 { get; init; }

    public required string HandleId { get; init; }

    public required string Hostname { get; init; }

    /// <summary>Owner attributes stored with the allocation (upstream: node, pod, namespace, timestamp).</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> IPv4Pools { get; init; } = [];

    public IReadOnlyList<string> IPv6Pools { get; init; } = [];

    /// <summary>Workload (default) or Tunnel: pools must allow it.</summary>
    public string IntendedUse { get; init; } = "Workload";

    /// <summary>Per-request block limit; 0 = the config's, or upstream's default of 20 when that is 0 too.</summary>
    public int MaxBlocksPerHost { get; init; }
}

/// <summary>Addresses assigned, each as a single-address network (/32 or /128).</summary>
public sealed record AutoAssignResult(IReadOnlyList<IPNetwork> IPv4, IReadOnlyList<IPNetwork> IPv6)
{
    /// <summary>CAS conflicts this call retried (0 when uncontended).</summary>
    public int Retries { get; init; }
}

public sealed record AssignIpArgs
{
    public required IPAddress Address { get; init; }

    public required string HandleId { get; init; }

    public required string Hostname { get; init; }

    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();

    /// <summary>When set, the address's pool must allow this use (Workload, Tunnel).</summary>
    public string? IntendedUse { get; init; }
}

/// <summary>An expected IPAM failure (pool exhausted, address in use, no pool...). The message is for the operator.</summary>
public sealed class IpamException(string message) : Exception(message);
