using Calico.Datastore.Syncer;

namespace Calico.Felix.Agent;

/// <summary>
/// One message to the agent's loop. A struct (no allocation per message) with one field set per
/// <see cref="Kind"/>; built only through the factories, so a message always carries what its kind says.
/// </summary>
internal readonly record struct AgentMessage
{
    private AgentMessage(AgentMessageKind kind, IReadOnlyList<SyncUpdate>? updates, SyncStatus status, string? routingError)
    {
        Kind = kind;
        Updates = updates;
        Status = status;
        RoutingError = routingError;
    }

    public AgentMessageKind Kind { get; }

    /// <summary>Set for <see cref="AgentMessageKind.Updates"/>.</summary>
    public IReadOnlyList<SyncUpdate>? Updates { get; }

    /// <summary>Meaningful for <see cref="AgentMessageKind.Status"/>.</summary>
    public SyncStatus Status { get; }

    /// <summary>For <see cref="AgentMessageKind.Routing"/>: why routing failed, or null when it succeeded again.</summary>
    public string? RoutingError { get; }

    public static AgentMessage ForUpdates(IReadOnlyList<SyncUpdate> updates) => new(AgentMessageKind.Updates, updates, default, null);

    public static AgentMessage ForStatus(SyncStatus status) => new(AgentMessageKind.Status, null, status, null);

    public static AgentMessage ForRouting(string? error) => new(AgentMessageKind.Routing, null, default, error);

    /// <summary>Set for <see cref="AgentMessageKind.HostInterfaces"/>.</summary>
    public HostInterfaces? Interfaces { get; private init; }

    public static AgentMessage ForHostInterfaces(HostInterfaces interfaces) =>
        new(AgentMessageKind.HostInterfaces, null, default, null) { Interfaces = interfaces };
}
