using Calico.Node.Routing;

namespace Calico.Node.Tests;

/// <summary>The datastore half of routing only (tunnel address allocation), with no kernel or BIRD behind it.</summary>
internal sealed class TunnelOnlyRoutingDriver(TunnelAddressAllocator tunnels) : IRoutingDriver
{
    public async Task ApplyAsync(RoutingState state, CancellationToken cancellationToken) =>
        await tunnels.EnsureAsync(state, cancellationToken);

    public Task<string?> RefreshAsync(RoutingState state, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}
