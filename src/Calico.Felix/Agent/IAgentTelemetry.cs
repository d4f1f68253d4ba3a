namespace Calico.Felix.Agent;

/// <summary>What the agent's loop reports, for health and metrics. Called from the loop only.</summary>
internal interface IAgentTelemetry
{
    /// <summary>The loop is alive (called at least once per loop turn and per timer tick).</summary>
    void Heartbeat();

    /// <summary>Ready when the datastore is in sync and the last dataplane apply succeeded; otherwise why not.</summary>
    void SetReadiness(bool ready, string reason);

    void CalcGraphUpdated(TimeSpan duration, int datastoreUpdates);

    void DataplaneApplied(TimeSpan duration, int dataplaneMessages);

    void DataplaneFailed(string reason);

    void ResyncStarted();

    void Counts(int localEndpoints, int activePolicies, int hosts);

    /// <summary>Upstream's cluster and local gauges after each batch (by default only the three above).</summary>
    void Counts(AgentCounts counts) => Counts(counts.LocalEndpoints, counts.LocalPolicies, counts.Hosts);

    /// <summary>The datastore's sync state as the loop last heard it (upstream's felix_resync_state).</summary>
    void SyncState(Calico.Datastore.Syncer.SyncStatus status) { }

    /// <summary>
    /// One drained batch: its datastore updates by kind name (only the keys the agent parsed), the dataplane updates
    /// the graph emitted for it (in order), and how many host-interface reports it held.
    /// </summary>
    void Batch(IReadOnlyDictionary<string, int> updatesByKind, IReadOnlyList<Calico.Felix.Calc.Model.DataplaneUpdate> dataplaneUpdates, int interfaceReports) { }

    /// <summary>Every refused setting read from the datastore now (docs/support-matrix.md), for the metric.</summary>
    void UnsupportedSettings(IReadOnlyList<Calico.Api.Support.SupportFinding> refused);
    /// <summary>The datastore keys whose values cannot be read, and how each is stood in for (empty when none).</summary>
    void CorruptResources(IReadOnlyList<CorruptResource> corrupt);
}
