using Calico.Datastore.Syncer;
using Calico.Felix.Agent;
using Calico.Felix.Calc.Model;
using Calico.Observability.Metrics;

namespace Calico.Node;

/// <summary>The agent's telemetry as upstream Felix's metric families (names in docs/calico-node.md).</summary>
internal sealed partial class NodeServices
{
    private bool _firstApplyDone;

    public void DataplaneApplied(TimeSpan duration, int dataplaneMessages)
    {
        // As upstream: the first apply (the initial resync) has its own gauge, so it does not skew the summary.
        if (_firstApplyDone)
        {
            _metrics.DataplaneApplyTime.Observe(duration.TotalSeconds);
        }
        else
        {
            _metrics.DataplaneInitialResyncTime.Set(duration.TotalSeconds);
            _firstApplyDone = true;
        }
    }

    public void Counts(int localEndpoints, int activePolicies, int hosts)
    {
        _metrics.ActiveLocalEndpoints.Set(localEndpoints);
        _metrics.ActiveLocalPolicies.Set(activePolicies);
        _metrics.ClusterNumHosts.Set(hosts);
    }

    public void Counts(AgentCounts counts)
    {
        Counts(counts.LocalEndpoints, counts.LocalPolicies, counts.Hosts);
        _metrics.ActiveLocalSelectors.Set(counts.LocalSelectors);
        _metrics.ClusterNumWorkloadEndpoints.Set(counts.WorkloadEndpoints);
        _metrics.ClusterNumHostEndpoints.Set(counts.HostEndpoints);
        _metrics.ClusterNumTiers.Set(counts.Tiers);
        _metrics.ClusterNumPolicies.Set(counts.Policies);
        _metrics.ClusterNumProfiles.Set(counts.Profiles);
    }

    public void SyncState(SyncStatus status) => _metrics.ResyncState.Set(status switch
    {
        SyncStatus.WaitForDatastore => 1,
        SyncStatus.ResyncInProgress => 2,
        _ => 3,
    });

    public void Batch(IReadOnlyDictionary<string, int> updatesByKind, IReadOnlyList<DataplaneUpdate> dataplaneUpdates, int interfaceReports)
    {
        foreach ((string kind, int count) in updatesByKind)
        {
            _metrics.CalcGraphUpdatesProcessed.WithLabels(UpstreamKeyType(kind)).Inc(count);
        }

        if (dataplaneUpdates.Count > 0)
        {
            _metrics.CalcGraphOutputEvents.Inc(dataplaneUpdates.Count);
            _metrics.DataplaneBatchSize.Observe(dataplaneUpdates.Count);
            foreach (DataplaneUpdate update in dataplaneUpdates)
            {
                _metrics.DataplaneMessages.WithLabels(UpstreamMessageType(update)).Inc();
            }
        }

        // One host-interfaces report carries the links and their addresses together, so both summaries see it.
        if (interfaceReports > 0)
        {
            _metrics.DataplaneIfaceBatchSize.Observe(interfaceReports);
            _metrics.DataplaneAddrBatchSize.Observe(interfaceReports);
        }
    }

    private void RegisterUpstreamMetrics()
    {
        ProcessMetrics.Register(_registry);
        _metrics.RegisterLogErrors(() => _provider.WriteErrors);
        _metrics.RegisterDataplane(ReadDataplane);
    }

    private DataplaneSnapshot ReadDataplane()
    {
        if (_driver?.Statistics is not { } stats)
        {
            return new DataplaneSnapshot(0, 0, 0, 0, [], []);
        }

        return new DataplaneSnapshot(
            stats.NftCalls,
            stats.NftErrors,
            stats.NftListCalls,
            stats.NftListErrors,
            stats.Table.Select(t => (t.IpVersion, t.Chains, t.Rules, t.Sets, t.Maps)).ToList(),
            stats.Routes.Select(r => (r.Table, r.Routes, r.Interfaces)).ToList());
    }

    /// <summary>Upstream's proto message name for a dataplane update (its felix_int_dataplane_messages label).</summary>
    internal static string UpstreamMessageType(DataplaneUpdate update) => update switch
    {
        IpSetUpdate => "IPSetUpdate",
        IpSetDeltaUpdate => "IPSetDeltaUpdate",
        IpSetRemove => "IPSetRemove",
        ActivePolicyUpdate => "ActivePolicyUpdate",
        ActivePolicyRemove => "ActivePolicyRemove",
        ActiveProfileUpdate => "ActiveProfileUpdate",
        ActiveProfileRemove => "ActiveProfileRemove",
        EndpointUpdate { Endpoint.Key.IsHostEndpoint: true } => "HostEndpointUpdate",
        EndpointUpdate => "WorkloadEndpointUpdate",
        EndpointRemove { Key.IsHostEndpoint: true } => "HostEndpointRemove",
        EndpointRemove => "WorkloadEndpointRemove",
        InSyncUpdate => "InSync",
        _ => update.GetType().Name,
    };

    /// <summary>Upstream's datastore key type for a resource kind (its felix_calc_graph_updates_processed label).</summary>
    internal static string UpstreamKeyType(string kind) => kind switch
    {
        "WorkloadEndpoint" => "WorkloadEndpointKey",
        "HostEndpoint" => "HostEndpointKey",
        "Tier" => "TierKey",
        "Profile" => "ProfileRulesKey",
        "NetworkSet" or "GlobalNetworkSet" => "NetworkSetKey",
        "IPPool" => "IPPoolKey",
        _ when kind.EndsWith("NetworkPolicy", StringComparison.Ordinal) => "PolicyKey",
        _ => "ResourceKey",
    };
}
