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
    private int _busy;
    private int _completed;

    /// <summary>True while an apply runs (the allocator may be in one of its datastore writes).</summary>
    public bool Busy => Volatile.Read(ref _busy) > 0;

    /// <summary>Applies finished so far (whatever their outcome).</summary>
    public int Completed => Volatile.Read(ref _completed);

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
        Interlocked.Increment(ref _busy);
        try
        {
            await tunnels.EnsureAsync(state, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _busy);
            Interlocked.Increment(ref _completed);
        }

        lock (_lock)
        {
            _applyMs.Add(Stats.Ms(Stopwatch.GetTimestamp() - started));
        }
    }

    public Task<string?> RefreshAsync(RoutingState state, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}
