using Calico.Bird;
using Calico.Node.Agent;
using Microsoft.Extensions.Logging;

namespace Calico.Node.Routing;

/// <summary>BGP through BIRD (and, when pools ask for it, VXLAN) for this host.</summary>
internal sealed class LinuxRoutingDriver(BirdSupervisor bird, Func<string, string, string?> secretLookup, ILogger logger) : IRoutingDriver
{
    public async Task ApplyAsync(RoutingState state, CancellationToken cancellationToken)
    {
        Api.Node? self = state.Self;
        if (self?.Spec.Bgp?.Ipv4Address is null && self?.Spec.Bgp?.Ipv6Address is null)
        {
            return; // no BGP address (IP=none): upstream runs no BIRD either
        }

        var inputs = new BirdInputs(state.NodeName, state.Nodes, state.GlobalBgp, state.NodeBgpConfigs, state.Peers, state.Pools, state.LocalBlocks)
        {
            SecretLookup = secretLookup,
        };
        string config = BirdConfigRenderer.Render(inputs);
        await bird.ApplyAsync(config, cancellationToken).ConfigureAwait(false);
        _ = logger;
    }

    public Task<string?> RefreshAsync(RoutingState state, CancellationToken cancellationToken) => bird.EnsureRunningAsync(cancellationToken);
}
