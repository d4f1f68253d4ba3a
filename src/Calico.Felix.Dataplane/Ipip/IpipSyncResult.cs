namespace Calico.Felix.Dataplane.Ipip;

/// <summary>
/// What one <see cref="IpipManager.Apply"/> did. <see cref="Failures"/> (kernel refusals, no ipip support, a missing
/// parent) are retried by the next Apply; <see cref="DeviceMissing"/> says <c>tunl0</c> could not be had, so blocks that
/// need the tunnel are not routed (counted in <see cref="BlocksWithoutTunnel"/>).
/// </summary>
public sealed record IpipSyncResult(
    bool DeviceCreated,
    bool DeviceMissing,
    int DeviceUpdates,
    int RoutesWritten,
    int RoutesRemoved,
    int RoutesUnchanged,
    int BlocksWithoutTunnel,
    IReadOnlyList<string> Failures,
    TimeSpan Duration)
{
    /// <summary>Kernel writes of any kind; 0 for an Apply that found everything converged.</summary>
    public int Writes => (DeviceCreated ? 1 : 0) + DeviceUpdates + RoutesWritten + RoutesRemoved;

    public bool InSync => Failures.Count == 0 && BlocksWithoutTunnel == 0;
}
