using Calico.Api;
using Calico.Client;
using Calico.Datastore.Embedded;
using Calico.Node.NodeStatuses;
using Calico.TestKit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Calico.Node.Tests.NodeStatuses;

/// <summary>
/// When the reporter reads BIRD and when it writes: at once for a new or changed request, then every
/// updatePeriodSeconds on the injected clock (0: once), and a write only when the data changed.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class NodeStatusReporterTests
{
    [Fact]
    public async Task NewRequest_ReportedAtOnce_ThenEveryPeriod_WrittenOnlyWhenChanged()
    {
        var (reporter, bird, writer, time, stop, run) = Start();
        try
        {
            reporter.Update([Request("s1", 10, "Agent", "BGP")]);
            await UntilAsync(() => writer.Writes.Count == 1);
            Assert.Equal(1, bird.Reads);
            var first = writer.Writes[0];
            Assert.Equal("s1", first.Name);
            Assert.NotNull(first.Status.LastUpdated);
            Assert.Equal(1, first.Status.Bgp!.NumberNotEstablishedV4);
            Assert.Null(first.Status.Routes);
            Assert.Equal((true, false), (bird.LastProtocols, bird.LastRoutes)); // routes not read when not asked

            // Nothing changed in BIRD: read again each period, never written.
            time.Advance(TimeSpan.FromSeconds(9));
            await Task.Delay(100);
            Assert.Equal(1, bird.Reads);
            await AdvanceUntilAsync(time, () => bird.Reads >= 3);
            Assert.Single(writer.Writes);

            // A session comes up: the next period writes it.
            bird.Snapshot = NodeStatusPopulatorTests.Bird with
            {
                Protocols = [.. NodeStatusPopulatorTests.Bird.Protocols.Where(p => p.Row.Name != "Mesh_10_0_0_3")],
            };
            await AdvanceUntilAsync(time, () => writer.Writes.Count == 2);
            Assert.Equal(0, writer.Writes[1].Status.Bgp!.NumberNotEstablishedV4);
            Assert.Equal(2, reporter.WriteCount);
        }
        finally
        {
            await StopAsync(stop, run);
        }
    }

    [Fact]
    public async Task UnexpectedReadFailure_Logged_ReporterGoesOnAfterTheRetryDelay()
    {
        var (reporter, bird, writer, time, stop, run) = Start();
        try
        {
            bird.FailingReads = 1;
            reporter.Update([Request("s1", 0, "Agent")]);
            await UntilAsync(() => bird.Reads == 1);
            await Task.Delay(100);
            Assert.Empty(writer.Writes); // failed, and no hot loop of retries
            Assert.Equal(1, bird.Reads);

            await AdvanceUntilAsync(time, () => writer.Writes.Count == 1);
            Assert.False(run.IsCompleted);
        }
        finally
        {
            await StopAsync(stop, run);
        }
    }

    [Fact]
    public async Task PeriodZero_ReportedOnce_NeverAgain()
    {
        var (reporter, bird, writer, time, stop, run) = Start();
        try
        {
            reporter.Update([Request("once", 0, "Routes")]);
            await UntilAsync(() => writer.Writes.Count == 1);
            bird.Snapshot = BirdSnapshot.Unreachable;
            for (int i = 0; i < 20; i++)
            {
                time.Advance(TimeSpan.FromHours(1));
                await Task.Delay(10);
            }

            Assert.Equal(1, bird.Reads);
            Assert.Single(writer.Writes);
        }
        finally
        {
            await StopAsync(stop, run);
        }
    }

    [Fact]
    public async Task StatusOnlyChange_NoReport_SpecChange_ReportsAtOnce_Deleted_NoMoreReads()
    {
        var (reporter, bird, writer, time, stop, run) = Start();
        try
        {
            reporter.Update([Request("s1", 3600, "Agent")]);
            await UntilAsync(() => writer.Writes.Count == 1);

            // Its own write coming back (same spec, new status): nothing happens.
            CalicoNodeStatus echoed = Request("s1", 3600, "Agent");
            echoed.Status = writer.Writes[0].Status;
            reporter.Update([echoed]);
            await Task.Delay(200);
            Assert.Equal(1, bird.Reads);

            // New classes: reported now, without waiting for the hour.
            reporter.Update([Request("s1", 3600, "Agent", "Routes")]);
            await UntilAsync(() => writer.Writes.Count == 2);
            Assert.NotNull(writer.Writes[1].Status.Routes);

            reporter.Update([]);
            await Task.Delay(200);
            for (int i = 0; i < 5; i++)
            {
                time.Advance(TimeSpan.FromHours(1));
                await Task.Delay(10);
            }

            Assert.Equal(2, bird.Reads);
        }
        finally
        {
            await StopAsync(stop, run);
        }
    }

    [Fact]
    public async Task ExistingStatusAlreadyCurrent_NotRewritten()
    {
        var (reporter, bird, writer, _, stop, run) = Start();
        try
        {
            CalicoNodeStatus request = Request("s1", 0, "BGP");
            request.Status = NodeStatusPopulator.Build(["BGP"], NodeStatusPopulatorTests.Bird);
            request.Status.LastUpdated = "2026-12-06T12:00:00Z";
            reporter.Update([request]);
            await UntilAsync(() => bird.Reads == 1);
            await Task.Delay(100);
            Assert.Empty(writer.Writes);
        }
        finally
        {
            await StopAsync(stop, run);
        }
    }

    [Fact]
    public async Task ClientWriter_WritesStatusOnly_RefusesWhenSpecChangedOrGone()
    {
        using var dir = new TempDirectory("node-status");
        await using var store = new EmbeddedKeyValueStore(dir.File("calico.db"));
        var client = new ResourceClient(store, TimeProvider.System);
        await client.EnsureInitializedAsync(CancellationToken.None);
        Assert.True((await client.CreateAsync(Request("s1", 10, "Agent"), CancellationToken.None)).Succeeded);
        var writer = new ClientNodeStatusWriter(client);
        var status = NodeStatusPopulator.Build(["Agent"], NodeStatusPopulatorTests.Bird);
        status.LastUpdated = "2026-12-06T12:00:00Z";

        Assert.True(await writer.WriteStatusAsync("s1", Request("s1", 10, "Agent").Spec, status, CancellationToken.None));
        var stored = (CalicoNodeStatus)(await client.GetAsync(ResourceKinds.CalicoNodeStatus, null, "s1", CancellationToken.None))!;
        Assert.Equal(("Ready", "2026-12-06T12:00:00Z", 10u), (stored.Status.Agent!.BirdV4!.State, stored.Status.LastUpdated, stored.Spec.UpdatePeriodSeconds));

        // The operator changed the spec meanwhile: the report for the old spec is not written over it.
        stored.Spec.UpdatePeriodSeconds = 30;
        Assert.True((await client.UpdateAsync(stored, CancellationToken.None)).Succeeded);
        Assert.False(await writer.WriteStatusAsync("s1", Request("s1", 10, "Agent").Spec, new CalicoNodeStatusStatus(), CancellationToken.None));
        var after = (CalicoNodeStatus)(await client.GetAsync(ResourceKinds.CalicoNodeStatus, null, "s1", CancellationToken.None))!;
        Assert.Equal((30u, "Ready"), (after.Spec.UpdatePeriodSeconds!.Value, after.Status.Agent!.BirdV4!.State));

        Assert.False(await writer.WriteStatusAsync("gone", Request("gone", 10, "Agent").Spec, status, CancellationToken.None));
    }

    private static CalicoNodeStatus Request(string name, uint period, params string[] classes) => new()
    {
        Metadata = new ObjectMeta { Name = name },
        Spec = new CalicoNodeStatusSpec { Node = "host1", Classes = [.. classes], UpdatePeriodSeconds = period },
    };

    private static (NodeStatusReporter Reporter, FakeBird Bird, RecordingWriter Writer, FakeTimeProvider Time, CancellationTokenSource Stop, Task Run) Start()
    {
        var bird = new FakeBird();
        var writer = new RecordingWriter();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
        var reporter = new NodeStatusReporter(bird, writer, time, NullLogger.Instance);
        var stop = new CancellationTokenSource();
        Task run = Task.Run(() => reporter.RunAsync(stop.Token));
        return (reporter, bird, writer, time, stop, run);
    }

    private static async Task StopAsync(CancellationTokenSource stop, Task run)
    {
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        stop.Dispose();
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }

    /// <summary>Advances the clock a second at a time (the reporter may arm its timer after any step) until the condition holds.</summary>
    private static async Task AdvanceUntilAsync(FakeTimeProvider time, Func<bool> condition)
    {
        for (int i = 0; i < 300 && !condition(); i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(10);
        }

        Assert.True(condition());
    }

    private sealed class FakeBird : IBirdStatusSource
    {
        private int _reads;

        public volatile BirdSnapshot Snapshot = NodeStatusPopulatorTests.Bird;

        /// <summary>Reads left that throw (an unexpected failure, not an unreachable BIRD).</summary>
        public int FailingReads;

        public int Reads => Volatile.Read(ref _reads);

        public bool LastProtocols { get; private set; }

        public bool LastRoutes { get; private set; }

        public Task<BirdSnapshot> ReadAsync(bool protocols, bool routes, CancellationToken cancellationToken)
        {
            LastProtocols = protocols;
            LastRoutes = routes;
            Interlocked.Increment(ref _reads);
            if (Interlocked.Decrement(ref FailingReads) >= 0)
            {
                throw new InvalidOperationException("unexpected reply");
            }

            return Task.FromResult(Snapshot);
        }
    }

    private sealed class RecordingWriter : INodeStatusWriter
    {
        private readonly List<(string Name, CalicoNodeStatusStatus Status)> _writes = [];

        public IReadOnlyList<(string Name, CalicoNodeStatusStatus Status)> Writes
        {
            get
            {
                lock (_writes)
                {
                    return [.. _writes];
                }
            }
        }

        public Task<bool> WriteStatusAsync(string name, CalicoNodeStatusSpec spec, CalicoNodeStatusStatus status, CancellationToken cancellationToken)
        {
            lock (_writes)
            {
                _writes.Add((name, status));
            }

            return Task.FromResult(true);
        }
    }
}
