using System.Net;
using Calico.Datastore;

namespace Calico.Ipam;

/// <summary>
/// Calico IPAM over the datastore seam (upstream libcalico-go/lib/ipam semantics and storage). CONTRACT STUB:
/// the IPAM helper replaces the bodies; the CNI helper codes against these signatures.
/// </summary>
public sealed class IpamClient(IKeyValueStore store, TimeProvider timeProvider)
{
    public IKeyValueStore Store { get; } = store;

    public TimeProvider Time { get; } = timeProvider;

    /// <summary>Assigns addresses from the host's affine blocks (claiming or borrowing as upstream). Throws <see cref="IpamException"/> when it cannot.</summary>
    public Task<AutoAssignResult> AutoAssignAsync(AutoAssignArgs args, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Assigns one specific address (claiming its block's affinity when unclaimed). Throws <see cref="IpamException"/> when in use or outside every pool.</summary>
    public Task AssignIpAsync(AssignIpArgs args, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Releases every address of a handle; false when the handle does not exist (not an error).</summary>
    public Task<bool> ReleaseByHandleAsync(string handleId, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Releases addresses; returns those that were not allocated.</summary>
    public Task<IReadOnlyList<IPAddress>> ReleaseIpsAsync(IReadOnlyList<IPAddress> addresses, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>The addresses a handle holds.</summary>
    public Task<IReadOnlyList<IPAddress>> IpsByHandleAsync(string handleId, CancellationToken cancellationToken) => throw new NotImplementedException();
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
}

/// <summary>Addresses assigned, each as a single-address network (/32 or /128).</summary>
public sealed record AutoAssignResult(IReadOnlyList<IPNetwork> IPv4, IReadOnlyList<IPNetwork> IPv6);

public sealed record AssignIpArgs
{
    public required IPAddress Address { get; init; }

    public required string HandleId { get; init; }

    public required string Hostname { get; init; }

    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();
}

/// <summary>An expected IPAM failure (pool exhausted, address in use, no pool...). The message is for the operator.</summary>
public sealed class IpamException(string message) : Exception(message);
