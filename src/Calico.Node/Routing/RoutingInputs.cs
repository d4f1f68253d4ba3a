using System.Text.Json;
using Calico.Api;
using Calico.Datastore;

namespace Calico.Node.Routing;

/// <summary>
/// The routing side of the datastore: nodes, BGP configuration and peers, pools, and which node each IPAM block
/// is affine to (confirmed affinities only, as upstream's confd advertises). Updated from the same syncer as the
/// policy side; <see cref="Changed"/> tells the loop to recompute routing.
/// </summary>
internal sealed class RoutingInputs(string nodeName)
{
    private readonly SortedDictionary<string, Api.Node> _nodes = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, BGPConfiguration> _bgpConfigs = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, BGPPeer> _peers = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, IPPool> _pools = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, string> _blockOwners = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, BGPFilter> _filters = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, CalicoNodeStatus> _nodeStatuses = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, WorkloadEndpoint> _localWorkloads = new(StringComparer.Ordinal);

    public bool Changed { get; private set; } = true;

    public bool TakeChanged()
    {
        bool changed = Changed;
        Changed = false;
        return changed;
    }

    /// <summary>
    /// Resources: Node, BGPConfiguration, BGPPeer, IPPool (pools are also the policy side's), BGPFilter,
    /// CalicoNodeStatus (only this node's are kept) and WorkloadEndpoint (only this node's; <paramref name="ns"/> is
    /// the namespace of namespaced kinds).
    /// </summary>
    public void OnResource(ResourceKind kind, string name, Resource? value, string? ns = null)
    {
        switch (value, kind.Kind)
        {
            case (_, BGPFilter.KindName):
                Put(_filters, name, value as BGPFilter);
                break;
            case (_, CalicoNodeStatus.KindName):
                var status = value as CalicoNodeStatus;
                if (status is not null && status.Spec.Node != nodeName)
                {
                    status = null; // another node's: forget it if it moved away from us
                }

                bool sameSpec = _nodeStatuses.TryGetValue(name, out CalicoNodeStatus? previous) && status is not null && SameSpec(previous, status);
                if (status is null && previous is null)
                {
                    return;
                }

                Put(_nodeStatuses, name, status);
                if (sameSpec)
                {
                    return; // calico-node's own status writes come back here: they change nothing routing renders
                }

                break;
            case (_, WorkloadEndpoint.KindName):
                var workload = value as WorkloadEndpoint;
                if (workload is not null && workload.Spec.Node != nodeName)
                {
                    workload = null;
                }

                string key = (ns ?? "") + "/" + name;
                if (workload is null && !_localWorkloads.ContainsKey(key))
                {
                    return;
                }

                Put(_localWorkloads, key, workload);
                if (!_peers.Values.Any(p => !string.IsNullOrEmpty(p.Spec.LocalWorkloadSelector)))
                {
                    return; // only local workload peering renders workloads (a new such peer marks the change itself)
                }

                break;
            case (_, Api.Node.KindName):
                Put(_nodes, name, value as Api.Node);
                break;
            case (_, BGPConfiguration.KindName):
                Put(_bgpConfigs, name, value as BGPConfiguration);
                break;
            case (_, BGPPeer.KindName):
                Put(_peers, name, value as BGPPeer);
                break;
            case (_, IPPool.KindName):
                Put(_pools, name, value as IPPool);
                break;
            default:
                return;
        }

        Changed = true;
    }

    /// <summary>A host affinity key (<c>/calico/ipam/v2/host/&lt;node&gt;/ipv4/block/&lt;cidr&gt;</c>); false for other keys.</summary>
    public bool TryOnAffinity(string key, byte[]? value)
    {
        if (!ResourceKeys.TryParseIpamAffinity(key, out string node, out string cidr))
        {
            return false;
        }

        bool confirmed = value is not null && IsConfirmed(value);
        if (confirmed)
        {
            if (!_blockOwners.TryGetValue(cidr, out string? owner) || owner != node)
            {
                _blockOwners[cidr] = node;
                Changed = true;
            }
        }
        else if (_blockOwners.TryGetValue(cidr, out string? owner) && owner == node)
        {
            _blockOwners.Remove(cidr);
            Changed = true;
        }

        return true;
    }

    public RoutingState Snapshot() => new(
        nodeName,
        _nodes.Values.ToList(),
        _bgpConfigs.GetValueOrDefault("default"),
        _bgpConfigs.Where(kv => kv.Key.StartsWith("node.", StringComparison.Ordinal)).Select(kv => kv.Value).ToList(),
        _peers.Values.ToList(),
        _pools.Values.ToList(),
        new Dictionary<string, string>(_blockOwners, StringComparer.Ordinal))
    {
        Filters = _filters.Values.ToList(),
        NodeStatuses = _nodeStatuses.Values.ToList(),
        LocalWorkloads = _localWorkloads.Values.ToList(),
    };

    /// <summary>The watched IPAM prefix for affinities (all nodes: VXLAN needs every remote block's owner).</summary>
    public const string AffinityPrefix = ResourceKeys.IpamRoot + "host/";

    private static bool IsConfirmed(byte[] value)
    {
        try
        {
            using JsonDocument doc = JsonDocument.Parse(value);
            // Stored data is untrusted: a non-object root or a non-string state is "not confirmed", never an exception.
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("state", out JsonElement state) && state.ValueKind == JsonValueKind.String && state.GetString() == "confirmed"
                && !(doc.RootElement.TryGetProperty("deleted", out JsonElement deleted) && deleted.ValueKind == JsonValueKind.True);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool SameSpec(CalicoNodeStatus a, CalicoNodeStatus b) =>
        a.Spec.Node == b.Spec.Node && a.Spec.UpdatePeriodSeconds == b.Spec.UpdatePeriodSeconds
        && (a.Spec.Classes ?? []).SequenceEqual(b.Spec.Classes ?? [], StringComparer.Ordinal);

    private static void Put<T>(SortedDictionary<string, T> map, string name, T? value)
        where T : class
    {
        if (value is null)
        {
            map.Remove(name);
        }
        else
        {
            map[name] = value;
        }
    }
}
