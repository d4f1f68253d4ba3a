using Calico.Goldmane.Store;
using Calico.Observability.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Calico.Goldmane.Tests.Store;

/// <summary>A store on a fake clock starting on a bucket boundary.</summary>
internal sealed class StoreHarness
{
    public const long Start = 1_800_000_000; // a multiple of 15

    public StoreHarness(FlowStoreOptions? options = null)
    {
        Time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(Start));
        Registry = new MetricsRegistry();
        Store = new FlowStore(options ?? new FlowStoreOptions(), Time, new StoreMetrics(Registry), NullLogger<FlowStore>.Instance);
    }

    public FakeTimeProvider Time { get; }

    public MetricsRegistry Registry { get; }

    public FlowStore Store { get; }

    public long Now => Time.GetUtcNow().ToUnixTimeSeconds();

    public void Advance(long seconds)
    {
        Time.Advance(TimeSpan.FromSeconds(seconds));
        Store.Rollover();
    }

    public string MetricsText()
    {
        using var stream = new MemoryStream();
        Registry.WriteTextAsync(stream, CancellationToken.None).GetAwaiter().GetResult();
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
