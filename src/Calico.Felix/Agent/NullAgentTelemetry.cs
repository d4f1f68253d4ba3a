namespace Calico.Felix.Agent;

/// <summary>Telemetry that goes nowhere (an agent without health or metrics endpoints).</summary>
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
