using System.Diagnostics;
using System.Globalization;
using Calico.Datastore.Embedded;
using Calico.TestKit;
using Xunit.Abstractions;
using static Calico.Datastore.Tests.StoreTestHelpers;

namespace Calico.Datastore.Tests.Embedded;

[Trait("Tier", "Root")]
public sealed class EmbeddedKeyValueStoreTests : KeyValueStoreContractTests
{
    private readonly TempDirectory _directory = new("calico-embedded");
    private readonly ITestOutputHelper _output;

    public EmbeddedKeyValueStoreTests(ITestOutputHelper output)
    {
        _output = output;
    }

    private string DatabasePath => Path.Combine(_directory.Path, "state", "calico.db");

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }

    // Constructed directly, as an owner (calico-node, calico-lab) does: it creates the directory and file. The
    // factory refuses both for clients (DatastoreOptionsTests).
    protected override Task<IKeyValueStore> OpenStoreAsync() =>
        Task.FromResult<IKeyValueStore>(new EmbeddedKeyValueStore(DatabasePath));

    protected override Task CompactAsync(long revision) => ((EmbeddedKeyValueStore)Store).CompactAsync(revision, Timeout());

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Open_FirstUse_CreatesDirectoryAndFilePrivateToOwner()
    {
        await Store.CreateAsync(Root + "a", Bytes("x"), Timeout());

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(DatabasePath)!));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(DatabasePath));
    }

    [Fact]
    public async Task Cas_SeveralInstancesOnOneFile_LoseNoUpdate()
    {
        var stores = Enumerable.Range(0, 4).Select(_ => new EmbeddedKeyValueStore(DatabasePath)).ToArray();
        try
        {
            await Task.WhenAll(stores.Select(s => Task.Run(() => IncrementAsync(s, Root + "counter", 50, Timeout(120)))));
        }
        finally
        {
            foreach (EmbeddedKeyValueStore store in stores)
            {
                await store.DisposeAsync();
            }
        }

        Assert.Equal("200", Text((await Store.GetAsync(Root + "counter", Timeout()))!.Value));
    }

    [Fact]
    public async Task Cas_SeveralProcessesOnOneFile_LoseNoUpdate()
    {
        await Store.CreateAsync(Root + "init", Bytes("x"), Timeout());
        using var children = new ChildProcess();
        const int Processes = 3;
        const int PerProcess = 100;

        var processes = Enumerable.Range(0, Processes)
            .Select(_ => children.StartDotnet(typeof(Program).Assembly.Location, ["increment", DatabasePath, Root + "counter", PerProcess.ToString(CultureInfo.InvariantCulture)]))
            .ToList();
        await IncrementAsync(Store, Root + "counter", PerProcess, Timeout(120));
        foreach (Process process in processes)
        {
            await process.WaitForExitAsync(Timeout(120));
            Assert.True(process.ExitCode == 0, $"child exited {process.ExitCode}: {children.OutputOf(process)}");
        }

        Assert.Equal(((Processes + 1) * PerProcess).ToString(CultureInfo.InvariantCulture), Text((await Store.GetAsync(Root + "counter", Timeout()))!.Value));
        Assert.Empty(await ((EmbeddedKeyValueStore)Store).CheckConsistencyAsync(Timeout()));
    }

    [Fact]
    public async Task Crash_WriterKilledMidLoop_LeavesConsistentDatabase()
    {
        await Store.CreateAsync(Root + "init", Bytes("x"), Timeout());
        using var children = new ChildProcess();
        Process writer = children.StartDotnet(typeof(Program).Assembly.Location, ["fill", DatabasePath, Root + "fill/"]);

        // Let it get well into its loop, then kill it without warning.
        CancellationToken wait = Timeout(60);
        while ((await Store.ListAsync(Root + "fill/", wait)).Items.Count < 150)
        {
            Assert.False(writer.HasExited, "writer exited early: " + children.OutputOf(writer));
            await Task.Delay(20, wait);
        }

        ChildProcess.Kill(writer);

        await using var reopened = new EmbeddedKeyValueStore(DatabasePath);
        Assert.Empty(await reopened.CheckConsistencyAsync(Timeout()));
        ListResult keys = await reopened.ListAsync(Root + "fill/", Timeout());
        Assert.True(keys.Items.Count >= 150);
        for (int i = 0; i < keys.Items.Count; i++)
        {
            // Keys are created in order, so the survivors are exactly a gap-free prefix, each value whole.
            string expected = Root + "fill/" + i.ToString("D6", CultureInfo.InvariantCulture);
            Assert.Equal(expected, keys.Items[i].Key);
            Assert.True(PayloadIsComplete(expected, keys.Items[i].Value), $"{expected} is torn");
        }

        WriteResult after = await reopened.CreateAsync(Root + "after-crash", Bytes("ok"), Timeout());
        Assert.True(after.Revision > keys.Revision);
    }

    [Fact]
    public async Task Watch_OtherInstanceWrites_AreDelivered()
    {
        await using var writer = new EmbeddedKeyValueStore(DatabasePath);
        WriteResult start = await writer.CreateAsync(Root + "w/start", Bytes("0"), Timeout());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new List<WatchEvent>();
        Task watching = Task.Run(async () =>
        {
            await foreach (WatchEvent e in Store.WatchAsync(Root + "w/", start.Revision, cts.Token))
            {
                received.Add(e);
                if (received.Count == 20)
                {
                    break;
                }
            }
        });

        for (int i = 0; i < 20; i++)
        {
            await writer.UpdateAsync(Root + "w/k", Bytes(i.ToString(CultureInfo.InvariantCulture)), 0, Timeout());
        }

        await watching.WaitAsync(cts.Token);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i.ToString(CultureInfo.InvariantCulture)), received.Select(e => Text(e.Value)));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Watch_OtherInstanceWritesWithPollingOff_EachDeliveredThroughTheCommitNotice()
    {
        // This watcher never polls (1 h): another instance's commits reach it through inotify only. SQLite's WAL events
        // can come before the commit is visible (its frames are written and fsynced, then published in the -shm
        // mapping, which raises no event), so a check they wake finds nothing; the commit notice is written after the
        // commit and wakes it again. Each write waits for its delivery, so no later write can wake it instead.
        await using var watcher = new EmbeddedKeyValueStore(DatabasePath) { WatchPollInterval = TimeSpan.FromHours(1), MaxWatchPollInterval = TimeSpan.FromHours(1) };
        await using var writer = new EmbeddedKeyValueStore(DatabasePath);
        WriteResult start = await writer.CreateAsync(Root + "n/k", Bytes("start"), Timeout());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var delivered = System.Threading.Channels.Channel.CreateUnbounded<string>();
        Task watching = Task.Run(async () =>
        {
            await foreach (WatchEvent e in watcher.WatchAsync(Root + "n/", start.Revision - 1, cts.Token))
            {
                await delivered.Writer.WriteAsync(Text(e.Value), cts.Token);
            }
        });

        Assert.Equal("start", await delivered.Reader.ReadAsync(cts.Token)); // the watch is running
        for (int i = 0; i < 30; i++)
        {
            string value = i.ToString(CultureInfo.InvariantCulture);
            await writer.UpdateAsync(Root + "n/k", Bytes(value), 0, Timeout());
            Assert.Equal(value, await delivered.Reader.ReadAsync(cts.Token));
        }

        Assert.Equal(File.GetUnixFileMode(DatabasePath), File.GetUnixFileMode(writer.CommitNoticePath));
        await cts.CancelAsync();
        await watching.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    [Fact]
    public async Task History_BeyondLimit_IsCompactedAutomatically()
    {
        await using var store = new EmbeddedKeyValueStore(Path.Combine(_directory.Path, "small.db"), historyRevisions: 16);
        WriteResult first = await store.UpdateAsync("/k", Bytes("0"), 0, Timeout());
        for (int i = 1; i < 100; i++)
        {
            await store.UpdateAsync("/k", Bytes(i.ToString(CultureInfo.InvariantCulture)), 0, Timeout());
        }

        await Assert.ThrowsAsync<WatchCompactedException>(async () =>
        {
            await foreach (WatchEvent e in store.WatchAsync("/", first.Revision, Timeout()))
            {
                Assert.Fail("history should be gone");
            }
        });
        Assert.Empty(await store.CheckConsistencyAsync(Timeout()));
    }

    [Fact]
    public async Task Performance_CreateGetAndWatchLatency_Reported()
    {
        const int Count = 500;
        var stopwatch = Stopwatch.StartNew();
        for (int i = 0; i < Count; i++)
        {
            await Store.CreateAsync(Root + "perf/" + i.ToString(CultureInfo.InvariantCulture), Bytes("value"), Timeout());
        }

        double createsPerSecond = Count / stopwatch.Elapsed.TotalSeconds;
        stopwatch.Restart();
        for (int i = 0; i < Count * 4; i++)
        {
            await Store.GetAsync(Root + "perf/" + (i % Count).ToString(CultureInfo.InvariantCulture), Timeout());
        }

        double getsPerSecond = Count * 4 / stopwatch.Elapsed.TotalSeconds;
        double sameInstance = await MeasureWatchLatencyAsync(Store, Store);
        await using var other = new EmbeddedKeyValueStore(DatabasePath);
        double otherInstance = await MeasureWatchLatencyAsync(other, Store);

        _output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"embedded: {createsPerSecond:F0} creates/s (synchronous=FULL), {getsPerSecond:F0} gets/s, median write-to-watch-event latency {sameInstance:F2} ms same instance, {otherInstance:F2} ms other instance (inotify/poll wake-up, as across processes)"));
        Assert.True(createsPerSecond > 0);
    }

    private async Task<double> MeasureWatchLatencyAsync(IKeyValueStore writer, IKeyValueStore watcher)
    {
        const int Rounds = 50;
        WriteResult start = await writer.UpdateAsync(Root + "lat/k", Bytes("start"), 0, Timeout());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using IAsyncEnumerator<WatchEvent> events = watcher.WatchAsync(Root + "lat/", start.Revision, cts.Token).GetAsyncEnumerator(cts.Token);
        var samples = new List<double>();
        for (int i = -5; i < Rounds; i++)
        {
            ValueTask<bool> next = events.MoveNextAsync();
            await Task.Delay(2, cts.Token);
            long before = Stopwatch.GetTimestamp();
            await writer.UpdateAsync(Root + "lat/k", Bytes(i.ToString(CultureInfo.InvariantCulture)), 0, cts.Token);
            Assert.True(await next);
            if (i >= 0)
            {
                samples.Add(Stopwatch.GetElapsedTime(before).TotalMilliseconds);
            }
        }

        // Median: the first rounds pay for JIT and connection set-up.
        samples.Sort();
        return samples[Rounds / 2];
    }
}
