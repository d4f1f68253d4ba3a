namespace Calico.Felix.Dataplane.Routes;

/// <summary>
/// What one <see cref="RouteManager.Apply"/> did. Nothing here is an error by itself: missing interfaces and
/// deferred removals are retried by the next Apply; <see cref="Failures"/> (kernel refusals) are retried too and
/// should be logged and counted by the caller.
/// </summary>
public sealed record RouteSyncResult(
    int Added,
    int Replaced,
    int Removed,
    int Unchanged,
    IReadOnlyCollection<string> MissingInterfaces,
    int RemovalsDeferred,
    IReadOnlyList<string> Failures,
    TimeSpan Duration)
{
    /// <summary>True when the kernel now holds exactly the desired routes for every existing interface.</summary>
    public bool InSync => MissingInterfaces.Count == 0 && RemovalsDeferred == 0 && Failures.Count == 0;
}
