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

    /// <summary>Every refused setting read from the datastore now (docs/support-matrix.md), for the metric.</summary>
    void UnsupportedSettings(IReadOnlyList<Calico.Api.Support.SupportFinding> refused);
    /// <summary>The datastore keys whose values cannot be read, and how each is stood in for (empty when none).</summary>
    void CorruptResources(IReadOnlyList<CorruptResource> corrupt);
}

internal sealed class NullAgentTelemetry : IAgentTelemetry
{
    public static readonly NullAgentTelemetry Instance = new();

    public void Heartbeat() { }

    public void SetReadiness(bool ready, string reason) { }

    public void CalcGraphUpdated(TimeSpan duration, int datastoreUpdates) { }

    public void DataplaneApplied(TimeSpan duration, int dataplaneMessages) { }

    public void DataplaneFailed(string reason) { }

    public void ResyncStarted() { }

    public void Counts(int localEndpoints, int activePolicies, int hosts) { }

    public void UnsupportedSettings(IReadOnlyList<Calico.Api.Support.SupportFinding> refused) { }
    public void CorruptResources(IReadOnlyList<CorruptResource> corrupt) { }
}
