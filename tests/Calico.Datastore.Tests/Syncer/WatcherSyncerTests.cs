using Calico.Datastore.Embedded;
using Calico.Datastore.Syncer;
using Calico.TestKit;
using static Calico.Datastore.Tests.StoreTestHelpers;

namespace Calico.Datastore.Tests.Syncer;

[Trait("Tier", "Unit")]
public sealed class WatcherSyncerTests : IAsyncLifetime
{
    private static readonly WatcherSyncerOptions FastRetries = new() { MinRetryDelay = TimeSpan.FromMilliseconds(10), MaxRetryDelay = TimeSpan.FromMilliseconds(100) };
    private readonly TempDirectory _directory = new("calico-syncer");
    private ControllableStore _store = null!;

    public Task InitializeAsync()
    {
        _store = new ControllableStore(new EmbeddedKeyValueStore(Path.Combine(_directory.Path, "calico.db")));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task Start_InitialList_DeliversEverythingThenInSync()
    {
        await _store.CreateAsync("/a/1", Bytes("a1"), Timeout());
        await _store.CreateAsync("/a/2", Bytes("a2"), Timeout());
        await _store.CreateAsync("/b/1", Bytes("b1"), Timeout());
        await _store.CreateAsync("/c/1", Bytes("not synced"), Timeout());
        var callbacks = new RecordingCallbacks();

        await using var syncer = new WatcherSyncer(_store, ["/a/", "/b/"], callbacks, FastRetries);
        syncer.Start();
        await callbacks.WaitForAsync(c => c.Statuses.Contains(SyncStatus.InSync), "in sync");

        IReadOnlyList<object> log = callbacks.Log;
        Assert.Equal(SyncStatus.WaitForDatastore, log[0]);
        Assert.Equal(new[] { SyncStatus.WaitForDatastore, SyncStatus.ResyncInProgress, SyncStatus.InSync }, callbacks.Statuses);
        int inSyncAt = log.ToList().IndexOf(SyncStatus.InSync);
        var beforeInSync = log.Take(inSyncAt).OfType<SyncUpdate>().ToList();
        Assert.Equal(new[] { "/a/1", "/a/2", "/b/1" }, beforeInSync.Select(u => u.Key).Order(StringComparer.Ordinal));
        Assert.All(beforeInSync, u => Assert.Equal(SyncUpdateType.New, u.Type));
    }

    [Fact]
    public async Task InSync_LaterWrites_AreDeliveredAsUpdates()
    {
        WriteResult a = await _store.CreateAsync("/a/1", Bytes("a1"), Timeout());
        var callbacks = new RecordingCallbacks();
        await using var syncer = new WatcherSyncer(_store, ["/a/"], callbacks, FastRetries);
        syncer.Start();
        await callbacks.WaitForAsync(c => c.Statuses.Contains(SyncStatus.InSync), "in sync");

        await _store.UpdateAsync("/a/1", Bytes("a1-v2"), a.Revision, Timeout());
        await _store.CreateAsync("/a/2", Bytes("a2"), Timeout());
        await _store.DeleteAsync("/a/2", 0, Timeout());
        await callbacks.WaitForAsync(c => c.Updates.Count == 4, "three more updates");

        Assert.Collection(
            callbacks.Updates.Skip(1),
            u => Assert.Equal((SyncUpdateType.Updated, "/a/1", "a1-v2"), (u.Type, u.Key, Text(u.Value))),
            u => Assert.Equal((SyncUpdateType.New, "/a/2", "a2"), (u.Type, u.Key, Text(u.Value))),
            u => Assert.Equal((SyncUpdateType.Deleted, "/a/2", "<null>"), (u.Type, u.Key, Text(u.Value))));
        Assert.Equal(1, callbacks.Statuses.Count(s => s == SyncStatus.InSync));
    }

    [Fact]
    public async Task LostWatch_Relist_EmitsDeletesForVanishedKeysAndChanges()
    {
        await _store.CreateAsync("/a/keep", Bytes("k"), Timeout());
        await _store.CreateAsync("/a/gone", Bytes("g"), Timeout());
        WriteResult changed = await _store.CreateAsync("/a/changed", Bytes("c1"), Timeout());
        var callbacks = new RecordingCallbacks();
        await using var syncer = new WatcherSyncer(_store, ["/a/"], callbacks, FastRetries);
        syncer.Start();
        await callbacks.WaitForAsync(c => c.Statuses.Contains(SyncStatus.InSync), "in sync");
        int listsBefore = _store.Lists;

        // These changes happen while the watch has lost its history; only a re-list can reveal them.
        _store.DropWatchEvents();
        await _store.DeleteAsync("/a/gone", 0, Timeout());
        await _store.UpdateAsync("/a/changed", Bytes("c2"), changed.Revision, Timeout());
        await _store.CreateAsync("/a/new", Bytes("n"), Timeout());
        _store.BreakWatches();
        await callbacks.WaitForAsync(c => c.Updates.Count >= 6, "re-list updates");

        var relisted = callbacks.Updates.Skip(3).ToList();
        Assert.Equal(3, relisted.Count);
        Assert.Contains(relisted, u => u is { Type: SyncUpdateType.Deleted, Key: "/a/gone", Value: null });
        Assert.Contains(relisted, u => u.Type == SyncUpdateType.Updated && u.Key == "/a/changed" && Text(u.Value) == "c2");
        Assert.Contains(relisted, u => u.Type == SyncUpdateType.New && u.Key == "/a/new");
        Assert.True(_store.Lists > listsBefore);
        Assert.Equal(1, callbacks.Statuses.Count(s => s == SyncStatus.InSync));
    }

    [Fact]
    public async Task ListFailures_RetryWithBackoff_ThenInSync()
    {
        await _store.CreateAsync("/a/1", Bytes("a1"), Timeout());
        _store.FailNextLists(3);
        var callbacks = new RecordingCallbacks();

        await using var syncer = new WatcherSyncer(_store, ["/a/"], callbacks, FastRetries);
        syncer.Start();
        await callbacks.WaitForAsync(c => c.Statuses.Contains(SyncStatus.InSync), "in sync after retries");

        Assert.Equal(4, _store.Lists);
        Assert.Equal("/a/1", Assert.Single(callbacks.Updates).Key);
    }

    [Fact]
    public async Task ListSucceedsAfterLongBackoff_LostWatchRelistsAfterTheMinimumNotTheMaximum()
    {
        // Six failed lists drive the back-off to its maximum (400 ms here); the seventh succeeds, its watch is lost
        // at once: the next list must come after the minimum (10 ms), as upstream's 500 ms resync, not the maximum.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var options = new WatcherSyncerOptions { MinRetryDelay = TimeSpan.FromMilliseconds(10), MaxRetryDelay = TimeSpan.FromMilliseconds(400) };
        _store.FailNextLists(6);
        _store.FailNextWatches(1);
        var callbacks = new RecordingCallbacks();
        await using var syncer = new WatcherSyncer(_store, ["/a/"], callbacks, options, time);
        syncer.Start();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (_store.Lists < 7)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {_store.Lists} lists");
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }

        await callbacks.WaitForAsync(c => c.Statuses.Contains(SyncStatus.InSync), "in sync after the seventh list");

        // 100 ms of (fake) time in small steps: enough for the minimum wait, a quarter of the maximum.
        for (int i = 0; i < 20 && _store.Lists < 8; i++)
        {
            await Task.Delay(20);
            time.Advance(TimeSpan.FromMilliseconds(5));
        }

        var settle = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (_store.Lists < 8 && DateTime.UtcNow < settle)
        {
            await Task.Delay(20);
        }

        Assert.Equal(8, _store.Lists);
    }

    [Fact]
    public async Task InSync_OnlyWhenEveryPrefixListed()
    {
        var callbacks = new RecordingCallbacks();
        _store.FailNextLists(1);

        await using var syncer = new WatcherSyncer(_store, ["/a/", "/b/"], callbacks, new WatcherSyncerOptions { MinRetryDelay = TimeSpan.FromMilliseconds(200) });
        syncer.Start();
        await callbacks.WaitForAsync(c => c.Statuses.Contains(SyncStatus.InSync), "in sync");

        Assert.Equal(new[] { SyncStatus.WaitForDatastore, SyncStatus.ResyncInProgress, SyncStatus.InSync }, callbacks.Statuses);
    }
}
