using Calico.Api;
using Calico.Client;
using Calico.Datastore;
using Calico.Datastore.Embedded;
using Calico.Datastore.Syncer;
using Calico.Node.Startup;
using Calico.TestKit;

namespace Calico.Node.Tests;

/// <summary>calico-node's obedience to <c>calicoctl datastore migrate lock</c>: writers wait or skip while locked, the
/// reason is logged once per writer, and they resume on unlock (from the syncer or the gate's own read).</summary>
[Trait("Tier", "Unit")]
public sealed class DatastoreReadyGateTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("ready-gate");
    private readonly MtuLogRecorder _log = new();
    private EmbeddedKeyValueStore _store = null!;
    private ResourceClient _client = null!;

    public async Task InitializeAsync()
    {
        _store = new EmbeddedKeyValueStore(_dir.File("calico.db"));
        _client = new ResourceClient(_store, TimeProvider.System);
        await _client.EnsureInitializedAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Locked_WaitersWaitAndSkippersSkip_LoggedOnce_ResumeOnSyncerUnlock()
    {
        var gate = new DatastoreReadyGate(_client, TimeProvider.System, _log);
        await DatastoreLock.SetLockedAsync(_client, locked: true, CancellationToken.None);

        Task registration = gate.WaitUntilUnlockedAsync("node registration", CancellationToken.None);
        await Task.Delay(300);
        bool skipped1 = gate.SkipWhileLocked("tunnel address allocation");
        bool skipped2 = gate.SkipWhileLocked("tunnel address allocation");
        Assert.False(registration.IsCompleted);

        await DatastoreLock.SetLockedAsync(_client, locked: false, CancellationToken.None);
        var kv = await _store.GetAsync(ResourceIdentity.Key(ResourceKinds.ClusterInformation, null, "default"), CancellationToken.None);
        gate.OnUpdates([new SyncUpdate(SyncUpdateType.Updated, kv!.Key, kv.Value, kv.Revision)]);
        await registration.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.True(skipped1);
        Assert.True(skipped2);
        Assert.False(gate.SkipWhileLocked("tunnel address allocation"));
        var messages = _log.Lines.Select(l => l.Message).ToList();
        Assert.Single(messages, m => m.Contains("tunnel address allocation waits", StringComparison.Ordinal));
        Assert.Single(messages, m => m.Contains("node registration waits", StringComparison.Ordinal));
        Assert.Single(messages, m => m.Contains("Datastore unlocked", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LockedAtStart_NoSyncer_WaiterPollsAndResumes()
    {
        var gate = new DatastoreReadyGate(_client, TimeProvider.System, _log);
        await DatastoreLock.SetLockedAsync(_client, locked: true, CancellationToken.None);
        Task waiting = gate.WaitUntilUnlockedAsync("node registration", CancellationToken.None);
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);

        await DatastoreLock.SetLockedAsync(_client, locked: false, CancellationToken.None);

        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Contains(_log.Lines, l => l.Message.Contains("Datastore is locked", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NoClusterInformation_NotLocked()
    {
        await _store.DeleteAsync(ResourceIdentity.Key(ResourceKinds.ClusterInformation, null, "default"), 0, CancellationToken.None);
        var gate = new DatastoreReadyGate(_client, TimeProvider.System, _log);

        await gate.WaitUntilUnlockedAsync("node registration", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.False(gate.IsLocked);
    }
}
