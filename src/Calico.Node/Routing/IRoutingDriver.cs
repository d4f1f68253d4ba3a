namespace Calico.Node.Routing;

/// <summary>Programs routing (BGP through BIRD, VXLAN) from a <see cref="RoutingState"/>. Called from the routing loop only.</summary>
internal interface IRoutingDriver
{
    Task ApplyAsync(RoutingState state, CancellationToken cancellationToken);

    /// <summary>Periodic check (BIRD alive, tunnel entries intact); repairs and says what it repaired.</summary>
    Task<string?> RefreshAsync(RoutingState state, CancellationToken cancellationToken);
}
