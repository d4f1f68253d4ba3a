namespace Calico.Felix.Dataplane.Routes;

/// <summary>The dataplane-manager seam: the whole desired route set in, one reconcile, a report out.</summary>
public sealed partial class RouteManager : IDataplaneManager<WorkloadRoutes>
{
    /// <summary>What <see cref="ApplyAsync"/> returned last (routes added, replaced, removed …).</summary>
    public RouteSyncResult? LastSync { get; private set; }

    /// <summary>
    /// Records <paramref name="desired"/> (interfaces not in it are forgotten; unchanged ones are not touched) and
    /// reconciles the kernel with it (<see cref="Apply"/>).
    /// </summary>
    public Task<DataplaneReport> ApplyAsync(WorkloadRoutes desired, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        foreach (var (iface, destinations) in desired.ByInterface)
        {
            if (!_desiredByInterface.TryGetValue(iface, out var current) || !current.AsSpan().SequenceEqual(destinations))
            {
                SetInterfaceRoutes(iface, destinations);
            }
        }

        List<string>? gone = null;
        foreach (string iface in _desiredByInterface.Keys)
        {
            if (!desired.ByInterface.ContainsKey(iface))
            {
                (gone ??= []).Add(iface);
            }
        }

        foreach (string iface in gone ?? [])
        {
            RemoveInterface(iface);
        }

        RouteSyncResult result = Apply(desired.AllowRemovals);
        LastSync = result;
        return Task.FromResult(new DataplaneReport(
            result.Added + result.Replaced + result.Removed,
            result.Failures,
            $"routes: {result.Added} added, {result.Replaced} replaced, {result.Removed} removed"));
    }
}
