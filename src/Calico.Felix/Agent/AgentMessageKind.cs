namespace Calico.Felix.Agent;

/// <summary>What an <see cref="AgentMessage"/> carries.</summary>
internal enum AgentMessageKind
{
    /// <summary>A batch of datastore updates from the syncer.</summary>
    Updates,

    /// <summary>The syncer's status (in sync, resync started).</summary>
    Status,

    /// <summary>The routing loop's outcome: an error, or null once routing is programmed again.</summary>
    Routing,

    /// <summary>The host's interfaces and their addresses, read again after the kernel reported a change.</summary>
    HostInterfaces,
}
