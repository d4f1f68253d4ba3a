using System.Text;
using Calico.Datastore;
using Calico.Datastore.Syncer;
using Calico.Node.Routing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Calico.Node.Tests.Routing;

/// <summary>
/// What starts a routing apply and what it waited for (issue 17: a new block's wait between its confirmed affinity and
/// the apply). The loop applies once per change of what routing renders, as soon as it is idle; updates that change
/// nothing (a pending affinity) start no apply; updates arriving during an apply are coalesced into the next one.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class RoutingApplyCauseTests
{
    private const string Block = "10.250.0.0/26";

    [Fact]
    public async Task PendingThenConfirmedAffinity_OneApplyCausedByTheConfirmation_PendingArrivedFirst()
    {
        var driver = new GatedRoutingDriver();
        var trace = new RoutingApplyTrace();
        driver.Trace = trace;
        var loop = new RoutingLoop("host2", driver, _ => { }, TimeSpan.Zero, TimeSpan.FromSeconds(1), new FakeTimeProvider(), NullLogger.Instance) { Trace = trace };
        using var stop = new CancellationTokenSource();
        Task run = loop.RunAsync(stop.Token);
        try
        {
            loop.OnStatusUpdated(SyncStatus.InSync);
            await driver.Applies.Reader.ReadAsync(stop.Token).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

            loop.OnUpdates([Affinity(Block, "pending")]);
            loop.OnUpdates([Affinity(Block, "confirmed")]);
            Applied applied = await driver.Applies.Reader.ReadAsync(stop.Token).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(Key(Block), applied.Cause.What); // not the pending affinity: it changes nothing routing renders
            Assert.Equal([Block], applied.State.LocalBlocks);
            Assert.NotEqual(0, applied.Cause.FirstReceived);
            Assert.True(applied.Cause.FirstReceived <= applied.Cause.Received);
            Assert.Equal(["start", Key(Block)], driver.Causes);
        }
        finally
        {
            await stop.CancelAsync();
            await run.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [Fact]
    public async Task UpdatesDuringARunningApply_CoalescedIntoOneApply_CausedByTheFirstAndQueuedBehindIt()
    {
        var driver = new GatedRoutingDriver();
        var trace = new RoutingApplyTrace();
        driver.Trace = trace;
        var loop = new RoutingLoop("host2", driver, _ => { }, TimeSpan.Zero, TimeSpan.FromSeconds(1), new FakeTimeProvider(), NullLogger.Instance) { Trace = trace };
        using var stop = new CancellationTokenSource();
        Task run = loop.RunAsync(stop.Token);
        try
        {
            loop.OnStatusUpdated(SyncStatus.InSync);
            await driver.Applies.Reader.ReadAsync(stop.Token).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

            driver.Hold();
            loop.OnUpdates([Affinity("10.250.0.0/26", "confirmed")]);
            await driver.Held.WaitAsync(TimeSpan.FromSeconds(30)); // that apply is running and held
            loop.OnUpdates([Affinity("10.250.0.64/26", "pending")]);
            loop.OnUpdates([Affinity("10.250.0.64/26", "confirmed")]);
            loop.OnUpdates([Affinity("10.250.0.128/26", "confirmed")]);
            driver.Release();

            Applied first = await driver.Applies.Reader.ReadAsync(stop.Token).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            Applied next = await driver.Applies.Reader.ReadAsync(stop.Token).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(["10.250.0.0/26"], first.State.LocalBlocks);
            Assert.Equal(["10.250.0.0/26", "10.250.0.128/26", "10.250.0.64/26"], next.State.LocalBlocks);
            Assert.Equal(Key("10.250.0.64/26"), next.Cause.What);
            Assert.True(next.Cause.Dequeued >= next.Cause.Received); // it waited in the queue while the apply ran
            Assert.True(next.Cause.FirstReceived <= next.Cause.Received); // the pending affinity came first
            Assert.Equal(["start", Key("10.250.0.0/26"), Key("10.250.0.64/26")], driver.Causes);
        }
        finally
        {
            driver.Release();
            await stop.CancelAsync();
            await run.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [Fact]
    public void Describe_AfterUnchangedApplies_NamesCauseAndCountThenResetsTheCount()
    {
        var trace = new RoutingApplyTrace();
        trace.Begin(RoutingApplyCause.Without("start", 0));
        trace.MarkUnchanged();
        trace.Begin(new RoutingApplyCause(Key(Block), 1000, 1000, 900));
        trace.MarkUnchanged();
        trace.Begin(new RoutingApplyCause(Key(Block), 2000, 2000, 2000));

        string first = trace.Describe(trace.Started);
        string second = trace.Describe(trace.Started);

        Assert.Contains("; cause " + Key(Block) + ", queued ", first, StringComparison.Ordinal);
        Assert.EndsWith("; 2 applies unchanged since the previous reload", first, StringComparison.Ordinal);
        Assert.EndsWith("; 0 applies unchanged since the previous reload", second, StringComparison.Ordinal);
    }

    private static string Key(string cidr) => ResourceKeys.IpamAffinity("host2", cidr);

    private static SyncUpdate Affinity(string cidr, string state) =>
        new(SyncUpdateType.Updated, Key(cidr), Encoding.UTF8.GetBytes($$"""{"state":"{{state}}"}"""), 1);

    private sealed record Applied(RoutingState State, RoutingApplyCause Cause);

    /// <summary>Records each apply with its cause; <see cref="Hold"/> keeps the next apply running until <see cref="Release"/>.</summary>
    private sealed class GatedRoutingDriver : IRoutingDriver
    {
        private TaskCompletionSource? _gate;
        private TaskCompletionSource? _release;
        private readonly SemaphoreSlim _held = new(0);

        public RoutingApplyTrace? Trace { get; set; }

        public System.Threading.Channels.Channel<Applied> Applies { get; } = System.Threading.Channels.Channel.CreateUnbounded<Applied>();

        public List<string> Causes { get; } = [];

        public Task Held => _held.WaitAsync();

        public void Hold() => _gate = _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _release?.TrySetResult();

        public async Task ApplyAsync(RoutingState state, CancellationToken cancellationToken)
        {
            RoutingApplyCause cause = Trace!.Cause;
            lock (Causes)
            {
                Causes.Add(cause.What);
            }

            if (_gate is { } gate)
            {
                _gate = null;
                _held.Release();
                await gate.Task.WaitAsync(cancellationToken);
            }

            await Applies.Writer.WriteAsync(new Applied(state, cause), cancellationToken);
        }

        public Task<string?> RefreshAsync(RoutingState state, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
    }
}
