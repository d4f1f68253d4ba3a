using Calico.Datastore.Syncer;

namespace Calico.Node.Routing;

/// <summary>One message to the routing loop: a batch of datastore updates, or the syncer's status.</summary>
internal readonly record struct RoutingMessage(IReadOnlyList<SyncUpdate>? Updates, SyncStatus Status);
