using System.Net;
using Calico.Api;
using Calico.Client;
using Calico.Datastore.Syncer;
using Calico.Felix.Agent;
using Calico.Felix.FlowLogs;

namespace Calico.Node.FlowLogs;

/// <summary>
/// A syncer consumer that keeps what names the ends of flows: every workload endpoint (local and remote), host
/// endpoint, NetworkSet and GlobalNetworkSet, with labels and networks. The syncer's thread records changes; the
/// collector's thread asks for <see cref="Current"/>, rebuilt only after a change.
/// </summary>
internal sealed class FlowLogIdentityFeed : ISyncerCallbacks
{
    private readonly object _lock = new();
    private readonly CorruptValueFilter _filter = new();
    private readonly Dictionary<string, FlowEndpointRecord> _records = new(StringComparer.Ordinal);
    private FlowIdentityIndex _index = FlowIdentityIndex.Empty;
    private bool _dirty;

    public void OnStatusUpdated(SyncStatus status)
    {
    }

    public void OnUpdates(IReadOnlyList<SyncUpdate> updates)
    {
        lock (_lock)
        {
            foreach (SyncUpdate update in updates)
            {
                if (!ResourceClient.TryParseKey(update.Key, out ResourceKind? kind, out string? ns, out string name)
                    || (kind != ResourceKinds.WorkloadEndpoint && kind != ResourceKinds.HostEndpoint && kind != ResourceKinds.NetworkSet && kind != ResourceKinds.GlobalNetworkSet))
                {
                    continue;
                }

                // Decoding errors are the agent's to report; here a bad value keeps the last good one.
                if (!_filter.Filter(kind, ns, name, update.Key, update.Value, update.Revision, out Resource? value, out _))
                {
                    continue;
                }

                _dirty = true;
                if (value is null || ToRecord(value) is not { } record)
                {
                    _records.Remove(update.Key);
                }
                else
                {
                    _records[update.Key] = record;
                }
            }
        }
    }

    /// <summary>The index as of the last update (built here, on the caller's thread, when something changed).</summary>
    public FlowIdentityIndex Current
    {
        get
        {
            lock (_lock)
            {
                if (_dirty)
                {
                    _index = new FlowIdentityIndex(_records.Values.ToList());
                    _dirty = false;
                }

                return _index;
            }
        }
    }

    private static FlowEndpointRecord? ToRecord(Resource resource)
    {
        IReadOnlyDictionary<string, string> labels = resource.Metadata.Labels ?? [];
        string ns = resource.Metadata.Namespace ?? string.Empty;
        string name = resource.Metadata.Name ?? string.Empty;
        switch (resource)
        {
            case WorkloadEndpoint wep:
                string workload = wep.Spec.Pod is { Length: > 0 } pod ? pod : wep.Spec.Workload is { Length: > 0 } w ? w : name;
                return ns.Length == 0 ? null : FlowEndpointRecord.Workload(ns, workload, labels, Nets(wep.Spec.IpNetworks));
            case HostEndpoint hep when hep.Spec.Node is { Length: > 0 } node:
                return FlowEndpointRecord.Host(node, labels, Nets(hep.Spec.ExpectedIPs));
            case NetworkSet set:
                return FlowEndpointRecord.NetworkSet(ns, name, labels, Nets(set.Spec.Nets));
            case GlobalNetworkSet set:
                return FlowEndpointRecord.NetworkSet(null, name, labels, Nets(set.Spec.Nets));
            default:
                return null;
        }
    }

    private static List<IPNetwork> Nets(List<string>? values)
    {
        var nets = new List<IPNetwork>();
        foreach (string v in values ?? [])
        {
            if (IPNetwork.TryParse(v, out IPNetwork net))
            {
                nets.Add(net);
            }
            else if (IPAddress.TryParse(v, out IPAddress? address))
            {
                nets.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
        }

        return nets;
    }
}
