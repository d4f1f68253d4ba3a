using Calico.Datastore.Syncer;

namespace Calico.Node.Routing;

/// <summary>
/// One message to the routing loop: a batch of datastore updates, or the syncer's status; <paramref name="ReceivedAt"/>
/// is when the syncer handed it over (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>), for the apply trace.
/// </summary>
internal readonly record struct RoutingMessage(IReadOnlyList<SyncUpdate>? Updates, SyncStatus Status, long ReceivedAt = 0);
