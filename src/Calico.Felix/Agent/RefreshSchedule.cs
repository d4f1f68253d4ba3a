namespace Calico.Felix.Agent;

/// <summary>
/// When the agent checks the kernel for drift, on the agent's clock. A check has two halves: the kernel is read back
/// in the background (<see cref="Begin"/>), and the reading is compared on the loop once it is in
/// (<see cref="FinishAsync"/>), so changes keep being applied meanwhile. A reading older than the last apply proves
/// nothing: the check is retried soon, and after <see cref="MaxStaleReadings"/> stale readings in a row the next
/// check reads on the loop (a cluster changing faster than the table can be read still gets its drift found).
/// </summary>
internal sealed class RefreshSchedule(TimeSpan interval, TimeProvider time)
{
    public const int MaxStaleReadings = 3;

    public static readonly TimeSpan StaleReadingRetry = TimeSpan.FromSeconds(1);

    private DateTimeOffset _next = time.GetUtcNow() + interval;
    private Task<KernelReading?>? _reading;
    private int _staleReadings;

    public TimeSpan Interval => interval;

    /// <summary>The kernel read-back in flight, if any (the loop wakes when it completes).</summary>
    public Task? InFlight => _reading;

    /// <summary>A check is due and none is in flight.</summary>
    public bool IsDue => _reading is null && time.GetUtcNow() >= _next;

    /// <summary>A read-back has completed: <see cref="FinishAsync"/> compares it.</summary>
    public bool ReadingCompleted => _reading is { IsCompleted: true };

    /// <summary>Time until the next check is due (at least 1 ms).</summary>
    public TimeSpan UntilDue
    {
        get
        {
            TimeSpan until = _next - time.GetUtcNow();
            return until < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : until;
        }
    }

    /// <summary>Restarts the interval from now (the loop starts).</summary>
    public void Restart() => _next = time.GetUtcNow() + interval;

    /// <summary>First half: schedules the next check and starts reading the kernel (or defers the read to the loop).</summary>
    public void Begin(IDataplaneDriver driver, CancellationToken cancellationToken)
    {
        _next = time.GetUtcNow() + interval;
        _reading = _staleReadings >= MaxStaleReadings
            ? Task.FromResult<KernelReading?>(null)
            : ReadOrNullAsync(driver, cancellationToken);
    }

    /// <summary>Second half: compares the reading with <paramref name="desired"/> and repairs; throws when that fails.</summary>
    public async Task<DriftResult> FinishAsync(IDataplaneDriver driver, DesiredDataplane desired, CancellationToken cancellationToken)
    {
        Task<KernelReading?> pending = _reading ?? throw new InvalidOperationException("no kernel reading in flight");
        _reading = null;
        KernelReading? reading = await pending.ConfigureAwait(false);
        DriftResult result = await driver.RepairDriftAsync(desired, reading, cancellationToken).ConfigureAwait(false);
        if (result.Stale)
        {
            _staleReadings++;
            _next = time.GetUtcNow() + StaleReadingRetry;
        }
        else
        {
            _staleReadings = 0;
        }

        return result;
    }

    private static async Task<KernelReading?> ReadOrNullAsync(IDataplaneDriver driver, CancellationToken cancellationToken) =>
        await driver.ReadKernelAsync(cancellationToken).ConfigureAwait(false);
}
