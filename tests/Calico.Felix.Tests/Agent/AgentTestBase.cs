using System.Text;
using System.Threading.Channels;
using Calico.Api;
using Calico.Client;
using Calico.Datastore.Syncer;
using Calico.Felix.Agent;
using Calico.Felix.Rules;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Calico.Felix.Tests.Agent;

/// <summary>
/// One running <see cref="FelixAgent"/> per test over a fake driver and recorded telemetry, and the datastore updates
/// the tests feed it (as the syncer would deliver them). The agent's clock is a <see cref="FakeTimeProvider"/>: a test
/// that waits for a timer (retry, refresh) moves the clock instead of sleeping.
/// </summary>
public abstract class AgentTestBase : IAsyncLifetime
{
    private readonly CancellationTokenSource _stop = new();

    private protected FakeDriver Driver { get; } = new();

    private protected RecordingTelemetry Telemetry { get; } = new();

    private protected FelixAgent Agent { get; private set; } = null!;

    private protected Task Running { get; private set; } = Task.CompletedTask;

    /// <summary>The agent's clock; it only moves when a test advances it.</summary>
    private protected FakeTimeProvider Time { get; } = new();

    public Task InitializeAsync()
    {
        Agent = FelixAgent.Create("host1", Driver, RenderConfigFor, TimeSpan.FromMinutes(5), Telemetry, NullLogger.Instance, TimeSpan.FromMilliseconds(20), Time);
        Running = Task.Run(() => Agent.RunAsync(_stop.Token));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Running;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    /// <summary>The render configuration the agent derives from its inputs (the default one unless a test class says).</summary>
    private protected virtual RenderConfig RenderConfigFor(AgentInputs inputs) => new();

    private protected async Task<DesiredDataplane> NextApplyAsync(int timeoutSeconds = 10)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        return await Driver.Applied.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>
    /// Reads the next item, moving <paramref name="clock"/> on by <paramref name="step"/> while none is there: the
    /// loop may arm its timer after a move, so the clock keeps moving until the timer's work shows up.
    /// </summary>
    private protected static async Task<T> ReadAdvancingAsync<T>(ChannelReader<T> reader, FakeTimeProvider clock, TimeSpan step)
    {
        for (int i = 0; i < 2000; i++)
        {
            if (reader.TryRead(out T? item))
            {
                return item;
            }

            clock.Advance(step);
            using var pause = new CancellationTokenSource(TimeSpan.FromMilliseconds(5));
            try
            {
                await reader.WaitToReadAsync(pause.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        throw new TimeoutException("nothing arrived while the clock moved on " + (step * 2000));
    }

    private protected static SyncUpdate Put(Resource r)
    {
        var kind = ResourceKinds.Of(r);
        return new SyncUpdate(SyncUpdateType.New, ResourceIdentity.Key(kind, r.Metadata.Namespace, r.Metadata.Name!), ResourceCodec.ToStorageJson(r), 1);
    }

    /// <summary>A stored value as raw JSON, as etcdctl could write it.</summary>
    private protected static SyncUpdate Raw(ResourceKind kind, string? ns, string name, string json) =>
        new(SyncUpdateType.New, ResourceIdentity.Key(kind, ns, name), Encoding.UTF8.GetBytes(json), 1);

    private protected static SyncUpdate Delete(ResourceKind kind, string? ns, string name) =>
        new(SyncUpdateType.Deleted, ResourceIdentity.Key(kind, ns, name), null, 2);
}
