using Calico.Api.Support;
using Calico.Felix.Agent;

namespace Calico.Node.Tests;

/// <summary>Keeps the agent's last readiness and counts dataplane failures (read from the test's thread).</summary>
internal sealed class ReadinessRecorder : IAgentTelemetry
{
    private readonly Lock _lock = new();
    private bool _ready;
    private string _reason = "";
    private int _failures;

    public bool Ready { get { lock (_lock) { return _ready; } } }

    public string Reason { get { lock (_lock) { return _reason; } } }

    public int Failures { get { lock (_lock) { return _failures; } } }

    public void Heartbeat() { }

    public void SetReadiness(bool ready, string reason)
    {
        lock (_lock)
        {
            _ready = ready;
            _reason = reason;
        }
    }

    public void CalcGraphUpdated(TimeSpan duration, int datastoreUpdates) { }

    public void DataplaneApplied(TimeSpan duration, int dataplaneMessages) { }

    public void DataplaneFailed(string reason)
    {
        lock (_lock)
        {
            _failures++;
        }
    }

    public void ResyncStarted() { }

    public void Counts(int localEndpoints, int activePolicies, int hosts) { }

    public void UnsupportedSettings(IReadOnlyList<SupportFinding> refused) { }

    public void CorruptResources(IReadOnlyList<CorruptResource> corrupt) { }
}
