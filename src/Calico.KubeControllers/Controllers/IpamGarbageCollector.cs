using System.Net;
using Calico.Api;
using Calico.Client;
using Calico.Datastore;
using Calico.Ipam;
using Microsoft.Extensions.Logging;

namespace Calico.KubeControllers.Controllers;

/// <summary>
/// Upstream's IPAM garbage collection (<c>kube-controllers/pkg/controllers/node/ipam.go</c>) for our datastores, where a
/// workload's owner is its WorkloadEndpoint (no Kubernetes pods) and a node is a Calico Node:
/// <list type="bullet">
/// <item>A workload address no endpoint holds (no WorkloadEndpoint lists it in <c>ipNetworks</c>) on a node that
/// exists is a candidate; it is released once seen leaked on every scan for longer than the grace period (zero: never,
/// as upstream). On a node that no longer exists it is released at once (upstream: the node is gone, so is the pod).</item>
/// <item>Tunnel addresses are owned by their node: released only when the node is gone and no valid address is
/// left on it; then the node's block affinities are released too (empty blocks deleted).</item>
/// <item>A node that still exists keeps at least one affine block; its other empty blocks are released after
/// being seen empty for longer than the grace period (upstream's <c>releaseUnusedBlocks</c>).</item>
/// <item>Addresses of unknown origin (no <c>node</c> attribute, no handle) are never released, and keep their node's
/// affinities too. A handle is released whole or not at all. Just before releasing, the owners are read again; the
/// release itself carries each address's handle and sequence number, so an address re-assigned since the scan read it
/// is left alone.</item>
/// </list>
/// The state (when each candidate was first seen) lives in memory: a restarted or newly active instance starts the
/// grace period again, which only ever delays a release.
/// </summary>
internal sealed partial class IpamGarbageCollector(ResourceClient client, IpamClient ipam, TimeProvider time, ILogger logger, ControllerMetrics? metrics = null)
{
    public const string UnknownPool = "no_ippool";

    /// <summary>Upstream's handle for the addresses Windows nodes reserve in their blocks: released with the block only.</summary>
    private const string WindowsReservedHandle = "windows-reserved-ipam-handle";

    private static readonly HashSet<string> s_tunnelTypes = new(StringComparer.Ordinal)
    {
        "ipipTunnelAddress", "vxlanTunnelAddress", "vxlanV6TunnelAddress", "wireguardTunnelAddress", "wireguardV6TunnelAddress",
    };

    private readonly Dictionary<string, DateTimeOffset> _leakedSince = new(StringComparer.Ordinal);
    private readonly Dictionary<IPNetwork, DateTimeOffset> _emptySince = [];

    /// <summary>Allocations currently seen leaked but still inside their grace period.</summary>
    public int Candidates { get; private set; }

    /// <summary>One full scan: find leaks, release the confirmed ones, clean up after deleted nodes, release surplus empty blocks.</summary>
    public async Task<GcScanResult> ScanAsync(TimeSpan leakGracePeriod, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var nodes = await NodeNamesAsync(cancellationToken).ConfigureAwait(false);
        var owned = await EndpointAddressesAsync(cancellationToken).ConfigureAwait(false);
        var blocks = await ipam.ListBlockInfosAsync(cancellationToken).ConfigureAwait(false);
        var pools = await ipam.ListPoolsAsync(cancellationToken).ConfigureAwait(false);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var confirmed = new List<AllocationInfo>();
        var byHandle = new Dictionary<string, List<(AllocationInfo Allocation, bool Confirmed)>>(StringComparer.Ordinal);
        var nodeHasLive = new HashSet<string>(StringComparer.Ordinal);
        var goneNodeTunnels = new Dictionary<string, List<AllocationInfo>>(StringComparer.Ordinal);
        var candidatesByPoolNode = new Dictionary<(string Pool, string Node), int>();
        int candidates = 0;

        foreach (var block in blocks)
        {
            foreach (var a in block.Allocations)
            {
                if (a.InCooldown || string.Equals(a.HandleId, WindowsReservedHandle, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                string? node = a.Attributes.TryGetValue("node", out var n) && n.Length > 0 ? n : null;
                bool nodeExists = node is not null && nodes.Contains(node);
                if (a.Attributes.TryGetValue("type", out var type) && s_tunnelTypes.Contains(type))
                {
                    if (node is null || nodeExists)
                    {
                        if (node is not null)
                        {
                            nodeHasLive.Add(node);
                        }
                    }
                    else
                    {
                        Add(goneNodeTunnels, node, a);
                    }

                    continue;
                }

                if (node is null || a.HandleId is null)
                {
                    // Not made by a CNI plugin nor for a tunnel: someone else's; hold its node's affinities too.
                    if (node is not null)
                    {
                        nodeHasLive.Add(node);
                    }

                    Log.UnknownAllocation(logger, a.Address, a.HandleId ?? "(none)");
                    continue;
                }

                string id = a.HandleId + "/" + a.Address;
                if (!byHandle.TryGetValue(a.HandleId, out var handleAllocations))
                {
                    byHandle[a.HandleId] = handleAllocations = [];
                }

                if (owned.Contains(a.Address))
                {
                    nodeHasLive.Add(node);
                    handleAllocations.Add((a, false));
                    if (_leakedSince.Remove(id))
                    {
                        Log.Resurrected(logger, a.Address, a.HandleId);
                    }

                    continue;
                }

                seen.Add(id);
                bool isConfirmed;
                if (!nodeExists)
                {
                    isConfirmed = true;
                }
                else
                {
                    if (!_leakedSince.TryGetValue(id, out var since))
                    {
                        _leakedSince[id] = since = now;
                        Log.Candidate(logger, a.Address, a.HandleId, node);
                    }

                    isConfirmed = leakGracePeriod > TimeSpan.Zero && now - since > leakGracePeriod;
                    if (!isConfirmed)
                    {
                        candidates++;
                        var key = (PoolOf(pools, block.Cidr), node);
                        candidatesByPoolNode[key] = candidatesByPoolNode.GetValueOrDefault(key) + 1;
                    }
                }

                if (!isConfirmed)
                {
                    // A live node whose leak is still in its grace period: the node keeps its blocks.
                    nodeHasLive.Add(node);
                }

                handleAllocations.Add((a, isConfirmed));
            }
        }

        foreach (var id in _leakedSince.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _leakedSince.Remove(id);
        }

        // All or none per handle: one address of a handle still in its grace period holds the others.
        foreach (var (_, list) in byHandle)
        {
            if (list.TrueForAll(x => x.Confirmed))
            {
                confirmed.AddRange(list.Select(x => x.Allocation));
            }
        }

        // Nodes that are gone and hold nothing valid: their tunnel addresses go too, then their affinities.
        var nodesToClean = new List<string>();
        var affinityHosts = await AffinityHostsAsync(cancellationToken).ConfigureAwait(false);
        var ipamNodes = new HashSet<string>(affinityHosts, StringComparer.Ordinal);
        ipamNodes.UnionWith(goneNodeTunnels.Keys);
        foreach (var b in blocks)
        {
            if (b.Host is { } host)
            {
                ipamNodes.Add(host);
            }
        }

        foreach (var node in ipamNodes)
        {
            if (nodes.Contains(node) || nodeHasLive.Contains(node))
            {
                continue;
            }

            if (goneNodeTunnels.TryGetValue(node, out var tunnels))
            {
                confirmed.AddRange(tunnels);
            }

            nodesToClean.Add(node);
        }

        Candidates = candidates;
        metrics?.SetCandidates(candidatesByPoolNode);

        int released = await ReleaseConfirmedAsync(confirmed, pools, cancellationToken).ConfigureAwait(false);

        var releasedBlocks = new List<IPNetwork>();
        foreach (var node in nodesToClean)
        {
            if (await StillGoneAsync(node, cancellationToken).ConfigureAwait(false))
            {
                var freed = await ipam.ReleaseEmptyBlocksAsync(node, cancellationToken).ConfigureAwait(false);
                releasedBlocks.AddRange(freed);
                Log.NodeCleaned(logger, node, freed.Count);
            }
        }

        releasedBlocks.AddRange(await ReleaseSurplusEmptyBlocksAsync(blocks, nodes, leakGracePeriod, now, cancellationToken).ConfigureAwait(false));
        metrics?.SetBlocks(blocks, pools);
        return new GcScanResult(released, candidates, nodesToClean, releasedBlocks);
    }

    private async Task<int> ReleaseConfirmedAsync(List<AllocationInfo> confirmed, IReadOnlyList<Pool> pools, CancellationToken cancellationToken)
    {
        if (confirmed.Count == 0)
        {
            return 0;
        }

        // The last defence against an owner that came back between the scan and now: read the owners again.
        var owned = await EndpointAddressesAsync(cancellationToken).ConfigureAwait(false);
        var nodes = await NodeNamesAsync(cancellationToken).ConfigureAwait(false);
        var options = new List<ReleaseOptions>();
        var released = new List<AllocationInfo>();
        foreach (var a in confirmed)
        {
            bool tunnel = a.Attributes.TryGetValue("type", out var type) && s_tunnelTypes.Contains(type);
            string node = a.Attributes.GetValueOrDefault("node") ?? "";
            if ((!tunnel && owned.Contains(a.Address)) || (tunnel && nodes.Contains(node)))
            {
                continue;
            }

            options.Add(new ReleaseOptions(a.Address, a.HandleId, a.SequenceNumber));
            released.Add(a);
        }

        if (options.Count == 0)
        {
            return 0;
        }

        var result = await ipam.ReleaseAsync(options, cancellationToken).ConfigureAwait(false);
        var skipped = new HashSet<IPAddress>(result.Conflicts.Concat(result.NotAllocated));
        int count = 0;
        foreach (var a in released)
        {
            if (skipped.Contains(a.Address))
            {
                continue;
            }

            count++;
            string node = a.Attributes.GetValueOrDefault("node") ?? "";
            _leakedSince.Remove(a.HandleId + "/" + a.Address);
            metrics?.Reclaimed(PoolOf(pools, a.Block), node);
            Log.Released(logger, a.Address, a.HandleId ?? "", node);
        }

        return count;
    }

    private async Task<List<IPNetwork>> ReleaseSurplusEmptyBlocksAsync(IReadOnlyList<BlockInfo> blocks, HashSet<string> nodes, TimeSpan grace, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var released = new List<IPNetwork>();
        var affineCount = blocks.Where(b => b.Host is not null).GroupBy(b => b.Host!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var present = new HashSet<IPNetwork>();
        foreach (var block in blocks)
        {
            present.Add(block.Cidr);
            bool empty = block.Allocations.All(a => string.Equals(a.HandleId, WindowsReservedHandle, StringComparison.OrdinalIgnoreCase));
            if (!empty || block.Host is not { } host || !nodes.Contains(host))
            {
                _emptySince.Remove(block.Cidr);
                continue;
            }

            // As upstream: a node keeps at least one affine block, so its next workload needs no new claim.
            if (affineCount[host] <= 1)
            {
                _emptySince.Remove(block.Cidr);
                continue;
            }

            if (grace <= TimeSpan.Zero)
            {
                continue;
            }

            if (!_emptySince.TryGetValue(block.Cidr, out var since))
            {
                _emptySince[block.Cidr] = now;
                continue;
            }

            if (now - since <= grace)
            {
                continue;
            }

            if (await ipam.ReleaseEmptyBlockAffinityAsync(host, block.Cidr, cancellationToken).ConfigureAwait(false))
            {
                affineCount[host]--;
                released.Add(block.Cidr);
                _emptySince.Remove(block.Cidr);
                Log.EmptyBlockReleased(logger, block.Cidr, host);
            }
        }

        foreach (var cidr in _emptySince.Keys.Where(c => !present.Contains(c)).ToList())
        {
            _emptySince.Remove(cidr);
        }

        return released;
    }

    private async Task<bool> StillGoneAsync(string node, CancellationToken cancellationToken) =>
        await client.GetAsync(ResourceKinds.Node, null, node, cancellationToken).ConfigureAwait(false) is null;

    private async Task<HashSet<string>> NodeNamesAsync(CancellationToken cancellationToken)
    {
        var (items, _) = await client.ListAsync(ResourceKinds.Node, null, cancellationToken).ConfigureAwait(false);
        return new HashSet<string>(items.Select(n => n.Metadata.Name!), StringComparer.Ordinal);
    }

    /// <summary>Every address some WorkloadEndpoint holds (a pod with several endpoints counts through any of them).</summary>
    private async Task<HashSet<IPAddress>> EndpointAddressesAsync(CancellationToken cancellationToken)
    {
        // An unreadable endpoint is skipped by the list, so its addresses would look leaked: refuse to scan instead.
        var list = await client.ListReadableAsync(ResourceKinds.WorkloadEndpoint, null, cancellationToken).ConfigureAwait(false);
        if (list.Corrupt.Count > 0)
        {
            throw new InvalidOperationException("cannot tell which addresses are in use: " + list.Corrupt[0].Message);
        }

        var owned = new HashSet<IPAddress>();
        foreach (var r in list.Items)
        {
            foreach (var net in ((WorkloadEndpoint)r).Spec.IpNetworks ?? [])
            {
                var text = net.Split('/')[0];
                if (IPAddress.TryParse(text, out var address))
                {
                    owned.Add(address);
                }
            }
        }

        return owned;
    }

    private async Task<List<string>> AffinityHostsAsync(CancellationToken cancellationToken)
    {
        var list = await client.Store.ListAsync(ResourceKeys.IpamRoot + "host/", cancellationToken).ConfigureAwait(false);
        var hosts = new List<string>();
        foreach (var kv in list.Items)
        {
            if (ResourceKeys.TryParseIpamAffinity(kv.Key, out var host, out _))
            {
                hosts.Add(host);
            }
        }

        return hosts;
    }

    internal static string PoolOf(IReadOnlyList<Pool> pools, IPNetwork block) =>
        pools.FirstOrDefault(p => p.Cidr.Contains(block.BaseAddress))?.Name ?? UnknownPool;

    private static void Add(Dictionary<string, List<AllocationInfo>> map, string key, AllocationInfo value)
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        list.Add(value);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Candidate IP leak: {Address} (handle {Handle}, node {Node}) is held by no workload endpoint")]
        public static partial void Candidate(ILogger logger, IPAddress address, string handle, string node);

        [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Leaked IP has been resurrected: {Address} (handle {Handle}) is held by a workload endpoint again")]
        public static partial void Resurrected(ILogger logger, IPAddress address, string handle);

        [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "Released leaked IP {Address} (handle {Handle}, node {Node})")]
        public static partial void Released(ILogger logger, IPAddress address, string handle, string node);

        [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "Node {Node} no longer exists: released its IPAM affinities ({Blocks} empty blocks deleted)")]
        public static partial void NodeCleaned(ILogger logger, string node, int blocks);

        [LoggerMessage(EventId = 204, Level = LogLevel.Information, Message = "Released affinity of empty block {Block} of node {Node} (the node keeps another block)")]
        public static partial void EmptyBlockReleased(ILogger logger, IPNetwork block, string node);

        [LoggerMessage(EventId = 205, Level = LogLevel.Debug, Message = "IP allocation {Address} (handle {Handle}) is from an unknown source: never released by the garbage collector")]
        public static partial void UnknownAllocation(ILogger logger, IPAddress address, string handle);
    }
}
