using System.Globalization;
using static Calico.Datastore.Tests.StoreTestHelpers;

namespace Calico.Datastore.Tests;

/// <summary>
/// The seam's contract: every backend must pass this suite unchanged (etcd semantics are the reference).
/// Each test works under its own random prefix so a shared etcd never leaks state between tests.
/// </summary>
public abstract class KeyValueStoreContractTests : IAsyncLifetime
{
    private IKeyValueStore? _store;

    protected IKeyValueStore Store => _store ?? throw new InvalidOperationException("store not opened");

    protected string Root { get; } = $"/calico/test/{Guid.NewGuid():N}/";

    public async Task InitializeAsync() => _store = await OpenStoreAsync();

    public virtual async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    protected abstract Task<IKeyValueStore> OpenStoreAsync();

    /// <summary>Discards history before <paramref name="revision"/> (backend-specific administration).</summary>
    protected abstract Task CompactAsync(long revision);

    [Fact]
    public async Task Get_MissingKey_ReturnsNull()
    {
        Assert.Null(await Store.GetAsync(Root + "missing", Timeout()));
    }

    [Fact]
    public async Task Create_NewKey_StoresValueAtReturnedRevision()
    {
        WriteResult result = await Store.CreateAsync(Root + "a", Bytes("one"), Timeout());

        Assert.Equal(WriteStatus.Ok, result.Status);
        KeyValue? stored = await Store.GetAsync(Root + "a", Timeout());
        Assert.NotNull(stored);
        Assert.Equal("one", Text(stored.Value));
        Assert.Equal(result.Revision, stored.Revision);
    }

    [Fact]
    public async Task Create_ExistingKey_ReturnsAlreadyExistsWithCurrent()
    {
        WriteResult first = await Store.CreateAsync(Root + "a", Bytes("one"), Timeout());

        WriteResult second = await Store.CreateAsync(Root + "a", Bytes("two"), Timeout());

        Assert.Equal(WriteStatus.AlreadyExists, second.Status);
        Assert.False(second.Succeeded);
        Assert.NotNull(second.Current);
        Assert.Equal("one", Text(second.Current.Value));
        Assert.Equal(first.Revision, second.Current.Revision);
        Assert.Equal("one", Text((await Store.GetAsync(Root + "a", Timeout()))!.Value));
    }

    [Fact]
    public async Task Update_MatchingRevision_Succeeds()
    {
        WriteResult created = await Store.CreateAsync(Root + "a", Bytes("one"), Timeout());

        WriteResult updated = await Store.UpdateAsync(Root + "a", Bytes("two"), created.Revision, Timeout());

        Assert.Equal(WriteStatus.Ok, updated.Status);
        Assert.True(updated.Revision > created.Revision);
        KeyValue stored = (await Store.GetAsync(Root + "a", Timeout()))!;
        Assert.Equal("two", Text(stored.Value));
        Assert.Equal(updated.Revision, stored.Revision);
    }

    [Fact]
    public async Task Update_StaleRevision_ReturnsConflictWithCurrent()
    {
        WriteResult created = await Store.CreateAsync(Root + "a", Bytes("one"), Timeout());
        WriteResult updated = await Store.UpdateAsync(Root + "a", Bytes("two"), created.Revision, Timeout());

        WriteResult stale = await Store.UpdateAsync(Root + "a", Bytes("three"), created.Revision, Timeout());

        Assert.Equal(WriteStatus.Conflict, stale.Status);
        Assert.NotNull(stale.Current);
        Assert.Equal("two", Text(stale.Current.Value));
        Assert.Equal(updated.Revision, stale.Current.Revision);
        Assert.Equal("two", Text((await Store.GetAsync(Root + "a", Timeout()))!.Value));
    }

    [Fact]
    public async Task Update_MissingKeyWithRevision_ReturnsNotFound()
    {
        WriteResult result = await Store.UpdateAsync(Root + "missing", Bytes("x"), 5, Timeout());

        Assert.Equal(WriteStatus.NotFound, result.Status);
        Assert.Null(result.Current);
        Assert.Null(await Store.GetAsync(Root + "missing", Timeout()));
    }

    [Fact]
    public async Task Update_RevisionZero_PutsUnconditionally()
    {
        WriteResult created = await Store.UpdateAsync(Root + "a", Bytes("one"), 0, Timeout());
        WriteResult overwritten = await Store.UpdateAsync(Root + "a", Bytes("two"), 0, Timeout());

        Assert.Equal(WriteStatus.Ok, created.Status);
        Assert.Equal(WriteStatus.Ok, overwritten.Status);
        Assert.True(overwritten.Revision > created.Revision);
        Assert.Equal("two", Text((await Store.GetAsync(Root + "a", Timeout()))!.Value));
    }

    [Fact]
    public async Task Delete_MatchingRevision_RemovesKey()
    {
        WriteResult created = await Store.CreateAsync(Root + "a", Bytes("one"), Timeout());

        WriteResult deleted = await Store.DeleteAsync(Root + "a", created.Revision, Timeout());

        Assert.Equal(WriteStatus.Ok, deleted.Status);
        Assert.True(deleted.Revision > created.Revision);
        Assert.Null(await Store.GetAsync(Root + "a", Timeout()));
    }

    [Fact]
    public async Task Delete_StaleRevision_ReturnsConflictAndKeepsKey()
    {
        WriteResult created = await Store.CreateAsync(Root + "a", Bytes("one"), Timeout());
        WriteResult updated = await Store.UpdateAsync(Root + "a", Bytes("two"), created.Revision, Timeout());

        WriteResult deleted = await Store.DeleteAsync(Root + "a", created.Revision, Timeout());

        Assert.Equal(WriteStatus.Conflict, deleted.Status);
        Assert.Equal(updated.Revision, deleted.Current!.Revision);
        Assert.NotNull(await Store.GetAsync(Root + "a", Timeout()));
    }

    [Fact]
    public async Task Delete_RevisionZero_RemovesUnconditionally()
    {
        await Store.CreateAsync(Root + "a", Bytes("one"), Timeout());

        WriteResult deleted = await Store.DeleteAsync(Root + "a", 0, Timeout());

        Assert.Equal(WriteStatus.Ok, deleted.Status);
        Assert.Null(await Store.GetAsync(Root + "a", Timeout()));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(7L)]
    public async Task Delete_MissingKey_ReturnsNotFound(long revision)
    {
        WriteResult deleted = await Store.DeleteAsync(Root + "missing", revision, Timeout());

        Assert.Equal(WriteStatus.NotFound, deleted.Status);
        Assert.Null(deleted.Current);
    }

    [Fact]
    public async Task List_Prefix_ReturnsSortedKeysAndExcludesSiblingPrefixes()
    {
        foreach (string key in new[] { "a/3", "a/1", "ab/1", "a/2", "b/1", "a" })
        {
            await Store.CreateAsync(Root + key, Bytes(key), Timeout());
        }

        ListResult list = await Store.ListAsync(Root + "a/", Timeout());

        Assert.Equal(new[] { Root + "a/1", Root + "a/2", Root + "a/3" }, list.Items.Select(i => i.Key));
        Assert.Equal(new[] { "a/1", "a/2", "a/3" }, list.Items.Select(i => Text(i.Value)));
        Assert.True(list.Revision >= list.Items.Max(i => i.Revision));
    }

    [Fact]
    public async Task List_EmptyPrefixMatch_ReturnsNothingAtCurrentRevision()
    {
        WriteResult write = await Store.CreateAsync(Root + "x", Bytes("x"), Timeout());

        ListResult list = await Store.ListAsync(Root + "nothing/", Timeout());

        Assert.Empty(list.Items);
        Assert.True(list.Revision >= write.Revision);
    }

    [Fact]
    public async Task List_EmptyPrefix_ReturnsWholeStore()
    {
        await Store.CreateAsync(Root + "x", Bytes("x"), Timeout());

        ListResult list = await Store.ListAsync(string.Empty, Timeout());

        Assert.Contains(list.Items, i => i.Key == Root + "x");
    }

    [Fact]
    public async Task List_ManyKeys_ReturnsAllAtOneRevision()
    {
        for (int i = 0; i < 1200; i++)
        {
            await Store.UpdateAsync(Root + "many/" + i.ToString("D4", CultureInfo.InvariantCulture), Bytes("v"), 0, Timeout(60));
        }

        ListResult list = await Store.ListAsync(Root + "many/", Timeout());

        Assert.Equal(1200, list.Items.Count);
        Assert.Equal(list.Items.Select(i => i.Key).Order(StringComparer.Ordinal), list.Items.Select(i => i.Key));
    }

    [Fact]
    public async Task Revisions_EveryWrite_StrictlyIncrease()
    {
        var revisions = new List<long>();
        WriteResult created = await Store.CreateAsync(Root + "a", Bytes("1"), Timeout());
        revisions.Add(created.Revision);
        revisions.Add((await Store.CreateAsync(Root + "b", Bytes("1"), Timeout())).Revision);
        WriteResult updated = await Store.UpdateAsync(Root + "a", Bytes("2"), created.Revision, Timeout());
        revisions.Add(updated.Revision);
        revisions.Add((await Store.UpdateAsync(Root + "c", Bytes("1"), 0, Timeout())).Revision);
        revisions.Add((await Store.DeleteAsync(Root + "a", updated.Revision, Timeout())).Revision);
        revisions.Add((await Store.DeleteAsync(Root + "b", 0, Timeout())).Revision);

        for (int i = 1; i < revisions.Count; i++)
        {
            Assert.True(revisions[i] > revisions[i - 1], $"revision {revisions[i]} after {revisions[i - 1]}");
        }

        Assert.True(revisions[0] > 0);
    }

    [Fact]
    public async Task Watch_FromRevision_SeesEveryLaterEventInOrder()
    {
        WriteResult start = await Store.CreateAsync(Root + "w/before", Bytes("ignored"), Timeout());
        WriteResult a = await Store.CreateAsync(Root + "w/a", Bytes("a1"), Timeout());
        await Store.CreateAsync(Root + "other", Bytes("not watched"), Timeout());
        WriteResult a2 = await Store.UpdateAsync(Root + "w/a", Bytes("a2"), a.Revision, Timeout());

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = new List<WatchEvent>();
        var sawHistory = new TaskCompletionSource();
        Task watching = Task.Run(async () =>
        {
            await foreach (WatchEvent e in Store.WatchAsync(Root + "w/", start.Revision, cts.Token))
            {
                events.Add(e);
                if (events.Count == 2)
                {
                    sawHistory.TrySetResult();
                }

                if (events.Count == 5)
                {
                    break;
                }
            }
        });

        await sawHistory.Task.WaitAsync(cts.Token);
        WriteResult b = await Store.CreateAsync(Root + "w/b", Bytes("b1"), Timeout());
        WriteResult deleteA = await Store.DeleteAsync(Root + "w/a", a2.Revision, Timeout());
        WriteResult deleteB = await Store.DeleteAsync(Root + "w/b", 0, Timeout());
        await watching.WaitAsync(cts.Token);

        Assert.Collection(
            events,
            e => AssertEvent(e, WatchEventType.Put, "w/a", "a1", null, a.Revision),
            e => AssertEvent(e, WatchEventType.Put, "w/a", "a2", "a1", a2.Revision),
            e => AssertEvent(e, WatchEventType.Put, "w/b", "b1", null, b.Revision),
            e => AssertEvent(e, WatchEventType.Delete, "w/a", null, "a2", deleteA.Revision),
            e => AssertEvent(e, WatchEventType.Delete, "w/b", null, "b1", deleteB.Revision));
    }

    [Fact]
    public async Task Watch_CompactedRevision_ThrowsWatchCompacted()
    {
        WriteResult first = await Store.CreateAsync(Root + "c/a", Bytes("1"), Timeout());
        WriteResult second = await Store.UpdateAsync(Root + "c/a", Bytes("2"), first.Revision, Timeout());
        WriteResult third = await Store.UpdateAsync(Root + "c/a", Bytes("3"), second.Revision, Timeout());
        await CompactAsync(third.Revision);

        var error = await Assert.ThrowsAsync<WatchCompactedException>(async () =>
        {
            await foreach (WatchEvent e in Store.WatchAsync(Root + "c/", first.Revision, Timeout()))
            {
                Assert.Fail($"unexpected event at {e.Revision}");
            }
        });

        Assert.Equal(first.Revision, error.RequestedRevision);
        Assert.True(error.CompactRevision >= third.Revision);
    }

    [Fact]
    public async Task Cas_ConcurrentIncrements_LoseNoUpdate()
    {
        const int Tasks = 8;
        const int PerTask = 25;
        string key = Root + "counter";

        await Task.WhenAll(Enumerable.Range(0, Tasks).Select(_ => Task.Run(() => IncrementAsync(Store, key, PerTask, Timeout(120)))));

        Assert.Equal((Tasks * PerTask).ToString(CultureInfo.InvariantCulture), Text((await Store.GetAsync(key, Timeout()))!.Value));
    }

    private void AssertEvent(WatchEvent e, WatchEventType type, string key, string? value, string? previous, long revision)
    {
        Assert.Equal(type, e.Type);
        Assert.Equal(Root + key, e.Key);
        Assert.Equal(value, e.Value is null ? null : Text(e.Value));
        Assert.Equal(previous, e.PreviousValue is null ? null : Text(e.PreviousValue));
        Assert.Equal(revision, e.Revision);
    }
}
