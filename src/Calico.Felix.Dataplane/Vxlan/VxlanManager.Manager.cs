using System.Globalization;

namespace Calico.Felix.Dataplane.Vxlan;

/// <summary>
/// The dataplane-manager seam: the whole desired overlay in, one reconcile (<see cref="Apply"/>), a report out. The
/// setters stay for callers that update one part at a time (calico-node's routing loop).
/// </summary>
public sealed partial class VxlanManager : IDataplaneManager<VxlanOverlay>
{
    /// <summary>What <see cref="ApplyAsync"/> returned last (device, neighbours, FDB, routes written and removed …).</summary>
    public VxlanSyncResult? LastSync { get; private set; }

    /// <summary>
    /// Records every part of <paramref name="desired"/> (validated as the setters do: an <see cref="ArgumentException"/>
    /// names the field before anything is read or written; the next call records everything again) and reconciles.
    /// </summary>
    public Task<DataplaneReport> ApplyAsync(VxlanOverlay desired, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        SetLocalVtep(desired.Local);
        SetRemoteVteps(desired.RemoteVteps);
        SetRemoteBlocks(desired.RemoteBlocks);
        SetMode(desired.CrossSubnet);

        VxlanSyncResult result = Apply();
        LastSync = result;
        if (result.Writes == 0 && result.Failures.Count == 0)
        {
            return Task.FromResult(DataplaneReport.Unchanged);
        }

        string device = result.DeviceCreated ? " (device created)" : result.DeviceRemoved ? " (device removed)" : string.Empty;
        return Task.FromResult(new DataplaneReport(
            result.Writes,
            result.Failures,
            string.Create(
                CultureInfo.InvariantCulture,
                $"{DeviceName}{device}: {result.NeighborsWritten + result.FdbWritten} neighbour/FDB entries written, {result.NeighborsRemoved + result.FdbRemoved} removed, {result.RoutesWritten} routes written, {result.RoutesRemoved} removed")));
    }
}
