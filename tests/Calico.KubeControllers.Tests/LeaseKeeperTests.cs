using Calico.KubeControllers.Leadership;
using Calico.TestKit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Calico.KubeControllers.Tests;

/// <summary>Two keepers over one embedded store and one fake clock; each tick is what the keeper's loop does every interval.</summary>
[Trait("Tier", "Unit")]
public sealed class LeaseKeeperTests : IAsyncLifetime
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(15);
    private readonly TempDirectory _dir = new("kc-lease");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
    private Datastore.Embedded.EmbeddedKeyValueStore _store = null!;

    public Task InitializeAsync()
    {
        _store = new Datastore.Embedded.EmbeddedKeyValueStore(_dir.File("calico.db"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _dir.Dispose();
    }

    private LeaseKeeper Keeper(string name) => new(_store, name, Duration, _time, NullLogger.Instance);

    [Fact]
    public async Task OneActive_StandbyTakesOverOnlyAfterTheHolderStopsRenewing()
    {
        using var a = Keeper("a");
        using var b = Keeper("b");
        await a.TickAsync(CancellationToken.None);
        await b.TickAsync(CancellationToken.None);
        Assert.True(a.IsLeader);
        Assert.False(b.IsLeader);
        var aLeadership = a.Leadership!.Value;

        // While a renews, b never takes over, however long it waits.
        for (int i = 0; i < 12; i++)
        {
            _time.Advance(a.RenewInterval);
            await a.TickAsync(CancellationToken.None);
            await b.TickAsync(CancellationToken.None);
            Assert.True(a.IsLeader);
            Assert.False(b.IsLeader);
        }

        // a stops (killed): its own leadership ends before b may take over.
        bool aStoppedFirst = false;
        for (int i = 0; i < 6 && !b.IsLeader; i++)
        {
            _time.Advance(a.RenewInterval);
            if (aLeadership.IsCancellationRequested && !b.IsLeader)
            {
                aStoppedFirst = true;
            }

            await b.TickAsync(CancellationToken.None);
        }

        Assert.True(b.IsLeader);
        Assert.True(aStoppedFirst, "the old holder still considered itself active when the standby took over");

        // a comes back: its renewal is refused and it stands by.
        await a.TickAsync(CancellationToken.None);
        Assert.False(a.IsLeader);
    }

    [Fact]
    public async Task HolderShutdown_ReleasesTheLease()
    {
        using var a = Keeper("a");
        using var stop = new CancellationTokenSource();
        await a.TickAsync(CancellationToken.None);
        Assert.True(a.IsLeader);
        await stop.CancelAsync();
        await a.RunAsync(stop.Token);
        Assert.Null(await _store.GetAsync(LeaseKeeper.Key, CancellationToken.None));

        using var b = Keeper("b");
        await b.TickAsync(CancellationToken.None);
        Assert.True(b.IsLeader);
    }
}
