using System.Net;
using Calico.Client;
using Calico.Ipam;

namespace Calico.Lifecycle;

/// <summary>What one <see cref="NodeDeletion"/> run did.</summary>
public sealed record NodeDeletionResult
{
    public required string NodeName { get; init; }

    /// <summary>
    /// Deleting the Node itself: Ok; NotFound when there was no Node (whatever it left behind was still cleaned up,
    /// as upstream does); Conflict when a given resourceVersion no longer matched (then nothing else was touched if
    /// it mismatched at the start).
    /// </summary>
    public required OperationResult Node { get; init; }

    /// <summary>Addresses released (workload, tunnel, and leaked ones whose attributes named the node).</summary>
    public IReadOnlyList<IPAddress> ReleasedAddresses { get; init; } = [];

    /// <summary>
    /// Addresses the node's endpoints or tunnel fields listed that were left alone: they now belong to another node
    /// (their attributes say so), or were re-allocated between the read and the release.
    /// </summary>
    public IReadOnlyList<IPAddress> SkippedAddresses { get; init; } = [];

    /// <summary>Handles deleted because no address was left under them.</summary>
    public IReadOnlyList<string> DeletedHandles { get; init; } = [];

    /// <summary>The node's blocks: deleted when empty, otherwise unaffined (they hold other nodes' addresses).</summary>
    public AffinityReleaseResult Blocks { get; init; } = AffinityReleaseResult.None;

    /// <summary>Resources deleted, as upstream names them (<c>WorkloadEndpoint(ns/name)</c>, <c>BGPPeer(name)</c>, ...), the Node last.</summary>
    public IReadOnlyList<string> DeletedResources { get; init; } = [];
}
