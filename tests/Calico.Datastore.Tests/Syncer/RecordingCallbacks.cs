using Calico.Datastore.Syncer;

namespace Calico.Datastore.Tests.Syncer;

/// <summary>Records what a syncer delivers, in order, and lets a test wait for a condition on it.</summary>
internal sealed class RecordingCallbacks : ISyncerCallbacks
{
    private readonly object _lock = new();
    private readonly List<object> _log = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Statuses and updates interleaved exactly as delivered.</summary>
    public IReadOnlyList<object> Log
    {
        get
        {
            lock (_lock)
            {
                return _log.ToList();
            }
        }
    }

    public IReadOnlyList<SyncUpdate> Updates => Log.OfType<SyncUpdate>().ToList();

    public IReadOnlyList<SyncStatus> Statuses => Log.OfType<SyncStatus>().ToList();

    public void OnStatusUpdated(SyncStatus status) => Append([status]);

    public void OnUpdates(IReadOnlyList<SyncUpdate> updates)
    {
        Assert.NotEmpty(updates);
        Append(updates);
    }

    public async Task WaitForAsync(Func<RecordingCallbacks, bool> condition, string description)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                changed = _changed.Task;
            }

            if (condition(this))
            {
                return;
            }

            try
            {
                await changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"timed out waiting for {description}; log: {string.Join(", ", Log)}");
            }
        }
    }

    private void Append(IEnumerable<object> items)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _log.AddRange(items);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }
}
