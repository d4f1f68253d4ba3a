namespace Calico.Node.Routing;

/// <summary>
/// Why the routing loop starts an apply: the first update since the previous apply began that changed what routing
/// is computed from (<paramref name="What"/>: its datastore key, or <c>start</c> / <c>retry</c>), when the syncer handed
/// it to the loop (<paramref name="Received"/>) and when the loop took it from its queue (<paramref name="Dequeued"/>:
/// later when an apply was running), and when the first update of any kind since the previous apply began arrived
/// (<paramref name="FirstReceived"/>; updates that change nothing routing renders, e.g. a block affinity still pending,
/// arrive before it). Timestamps are <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>; 0 when there was none.
/// </summary>
internal readonly record struct RoutingApplyCause(string What, long Received, long Dequeued, long FirstReceived)
{
    /// <summary>An apply with no update behind it: the first one, or a retry after a failure.</summary>
    public static RoutingApplyCause Without(string what, long firstReceived) => new(what, 0, 0, firstReceived);
}
