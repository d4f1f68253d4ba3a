using Calico.Felix.Agent;

namespace Calico.Felix.Tests.Agent;

internal sealed class RecordingTelemetry : IAgentTelemetry
{
    private readonly object _lock = new();

    public (bool Ready, string Reason) Readiness { get { lock (_lock) { return _readiness; } } }

    public int Failures { get { lock (_lock) { return _failures; } } }

    private (bool, string) _readiness;
    private int _failures;

    public void Heartbeat() { }

    public void SetReadiness(bool ready, string reason) { lock (_lock) { _readiness = (ready, reason); } }

    public void CalcGraphUpdated(TimeSpan duration, int datastoreUpdates) { }

    public void DataplaneApplied(TimeSpan duration, int dataplaneMessages) { }

    public void DataplaneFailed(string reason) { lock (_lock) { _failures++; } }

    public void ResyncStarted() { }

    public void Counts(int localEndpoints, int activePolicies, int hosts) { }

    public IReadOnlyList<Calico.Api.Support.SupportFinding> Unsupported { get { lock (_lock) { return _unsupported; } } }

    private IReadOnlyList<Calico.Api.Support.SupportFinding> _unsupported = [];

    public void UnsupportedSettings(IReadOnlyList<Calico.Api.Support.SupportFinding> refused) { lock (_lock) { _unsupported = refused; } }
    public IReadOnlyList<CorruptResource> Corrupt { get { lock (_lock) { return _corrupt; } } }

    private IReadOnlyList<CorruptResource> _corrupt = [];

    public void CorruptResources(IReadOnlyList<CorruptResource> corrupt) { lock (_lock) { _corrupt = corrupt; } }
}
