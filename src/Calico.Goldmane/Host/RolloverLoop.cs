using Calico.Goldmane.Store;
using Microsoft.Extensions.Hosting;

namespace Calico.Goldmane.Host;

/// <summary>Advances the store's ring every second, so streams get each bucket when it completes even without traffic; its heartbeat is the health.</summary>
public sealed class RolloverLoop(FlowStore store, FlowStoreOptions options, TimeProvider time) : BackgroundService
{
    private long _lastTick = time.GetTimestamp();

    /// <summary>True while the loop has ticked within four bucket widths (upstream's health timeout).</summary>
    public bool Healthy => time.GetElapsedTime(Interlocked.Read(ref _lastTick)) < TimeSpan.FromSeconds(4 * Math.Max(options.BucketSeconds, 1));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            store.Rollover();
            Interlocked.Exchange(ref _lastTick, time.GetTimestamp());
        }
    }
}
