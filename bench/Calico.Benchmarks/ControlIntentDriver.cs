using System.Diagnostics;
using Calico.Felix.Agent;

namespace Calico.Benchmarks;

/// <summary>
/// Bench-only dataplane driver: programs nothing, and notes the Stopwatch time of the first apply whose desired
/// state satisfies the awaited condition (the point at which a real driver would start its kernel transaction).
/// </summary>
internal sealed class ControlIntentDriver : IDataplaneDriver
{
    private Func<DesiredDataplane, bool>? _awaited;
    private TaskCompletionSource<long>? _seen;

    /// <summary>Arms the condition; the task completes with the timestamp of the first apply that satisfies it.</summary>
    public Task<long> Await(Func<DesiredDataplane, bool> condition)
    {
        var seen = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _seen, seen);
        Volatile.Write(ref _awaited, condition);
        return seen.Task;
    }

    public Task ApplyAsync(DesiredDataplane desired, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _awaited) is { } condition && condition(desired))
        {
            Volatile.Write(ref _awaited, null);
            Volatile.Read(ref _seen)?.TrySetResult(Stopwatch.GetTimestamp());
        }

        return Task.CompletedTask;
    }

    public Task<KernelReading> ReadKernelAsync(CancellationToken cancellationToken) => Task.FromResult(new KernelReading(0, null));

    public Task<DriftResult> RepairDriftAsync(DesiredDataplane desired, KernelReading? reading, CancellationToken cancellationToken) =>
        Task.FromResult(new DriftResult(null, false));
}
