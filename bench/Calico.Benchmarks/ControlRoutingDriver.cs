using System.Diagnostics;
using Calico.Node.Routing;

namespace Calico.Benchmarks;

/// <summary>
/// Bench-only routing driver: the datastore half of routing (tunnel address allocation, the real allocator), no
/// kernel and no BIRD; records how long each apply took.
/// </summary>
internal sealed class ControlRoutingDriver(TunnelAddressAllocator tunnels) : IRoutingDriver
{
    private readonly Lock _lock = new();
    private readonly List<double> _applyMs = [];

    public List<double> ApplyMs()
    {
        lock (_lock)
        {
            return [.. _applyMs];
        }
    }

    public async Task ApplyAsync(RoutingState state, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        await tunnels.EnsureAsync(state, cancellationToken);
        lock (_lock)
        {
            _applyMs.Add(Stats.Ms(Stopwatch.GetTimestamp() - started));
        }
    }

    public Task<string?> RefreshAsync(RoutingState state, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}
