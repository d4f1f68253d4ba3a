namespace Calico.Felix.Dataplane.Vxlan;

/// <summary>
/// What one <see cref="VxlanManager.Apply"/> did. <see cref="Failures"/> (kernel refusals, a missing parent interface)
/// are retried by the next Apply and should be logged and counted by the caller; <see cref="BlocksWithoutVtep"/> are
/// blocks of nodes whose VTEP is not known (yet), routed once it is.
/// </summary>
public sealed record VxlanSyncResult(
    bool DeviceCreated,
    bool DeviceRemoved,
    int DeviceUpdates,
    int NeighborsWritten,
    int NeighborsRemoved,
    int FdbWritten,
    int FdbRemoved,
    int RoutesWritten,
    int RoutesRemoved,
    int RoutesUnchanged,
    int BlocksWithoutVtep,
    IReadOnlyList<string> Failures,
    TimeSpan Duration)
{
    /// <summary>Kernel writes of any kind; 0 for an Apply that found everything converged.</summary>
    public int Writes =>
        (DeviceCreated ? 1 : 0) + (DeviceRemoved ? 1 : 0) + DeviceUpdates + NeighborsWritten + NeighborsRemoved + FdbWritten + FdbRemoved
        + RoutesWritten + RoutesRemoved;

    public bool InSync => Failures.Count == 0 && BlocksWithoutVtep == 0;
}
