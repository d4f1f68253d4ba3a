using System.Text;
using Prometheus;

namespace Calico.Observability.Metrics;

/// <summary>
/// The agent's metric registry: prometheus-net counters, gauges, summaries and histograms (lock-free Inc,
/// thread-safe) in a private registry, plus collectors that read absolute values only when scraped.
/// </summary>
public sealed class MetricsRegistry
{
    public const string TextContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly CollectorRegistry _registry;
    private readonly MetricFactory _factory;
    private readonly Lock _sync = new();
    private readonly Lock _scrape = new();
    private readonly HashSet<string> _directNames = new(StringComparer.Ordinal);
    private readonly List<CollectorRegistration> _collectors = [];

    public MetricsRegistry()
    {
        // A private registry, not Metrics.DefaultRegistry: no process-wide state, and tests get exact output.
        _registry = Prometheus.Metrics.NewCustomRegistry();
        _factory = Prometheus.Metrics.WithCustomRegistry(_registry);
    }

    public Counter CreateCounter(string name, string help, params string[] labelNames) =>
        Track(name, () => _factory.CreateCounter(name, help, labelNames));

    public Gauge CreateGauge(string name, string help, params string[] labelNames) =>
        Track(name, () => _factory.CreateGauge(name, help, labelNames));

    /// <summary>A summary exposing _sum and _count only, as upstream Felix's objective-less summaries do.</summary>
    public Summary CreateSummary(string name, string help, params string[] labelNames) =>
        Track(name, () => _factory.CreateSummary(name, help, labelNames));

    /// <summary>
    /// A summary with quantiles 0.5, 0.9 and 0.99 (errors 0.05, 0.01, 0.001) over a 10-minute window, as upstream
    /// Felix's summaries (libcalico-go's <c>DefObjectives</c>): dashboards query <c>{quantile="0.99"}</c>.
    /// </summary>
    public Summary CreateQuantileSummary(string name, string help, params string[] labelNames) =>
        Track(name, () => _factory.CreateSummary(name, help, new SummaryConfiguration
        {
            Objectives = [new QuantileEpsilonPair(0.5, 0.05), new QuantileEpsilonPair(0.9, 0.01), new QuantileEpsilonPair(0.99, 0.001)],
            LabelNames = labelNames,
        }));

    public Histogram CreateHistogram(string name, string help, double[] buckets, params string[] labelNames) =>
        Track(name, () => _factory.CreateHistogram(name, help, new HistogramConfiguration { Buckets = buckets, LabelNames = labelNames }));

    /// <summary>
    /// Calls <paramref name="collect"/> on every scrape (never concurrently with itself) and exposes its
    /// samples under <paramref name="families"/>. Dispose the result to unregister.
    /// </summary>
    public IDisposable RegisterCollector(IReadOnlyList<CollectedMetricFamily> families, Func<IEnumerable<MetricSample>> collect)
    {
        ArgumentNullException.ThrowIfNull(families);
        ArgumentNullException.ThrowIfNull(collect);
        lock (_sync)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var family in families)
            {
                if (!names.Add(family.Name) || _directNames.Contains(family.Name) || _collectors.Any(c => c.Has(family.Name)))
                {
                    throw new ArgumentException($"metric {family.Name} is already registered", nameof(families));
                }
            }
            var registration = new CollectorRegistration(this, [.. families], collect);
            _collectors.Add(registration);
            return registration;
        }
    }

    /// <summary>Writes the whole registry in text format 0.0.4; a collector's exception propagates.</summary>
    public async Task WriteTextAsync(Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        // Collect first: a failing collector then fails the scrape before any byte is written.
        var collected = CollectAll();
        await _registry.CollectAndExportAsTextAsync(output, cancellationToken).ConfigureAwait(false);
        await output.WriteAsync(Encoding.UTF8.GetBytes(collected), cancellationToken).ConfigureAwait(false);
    }

    private string CollectAll()
    {
        CollectorRegistration[] collectors;
        lock (_sync)
        {
            collectors = [.. _collectors];
        }
        // A separate lock: a slow kernel read serialises scrapes but never blocks registering metrics.
        var text = new StringBuilder();
        lock (_scrape)
        {
            foreach (var collector in collectors)
            {
                collector.WriteTo(text);
            }
        }
        return text.ToString();
    }

    private T Track<T>(string name, Func<T> create)
    {
        lock (_sync)
        {
            if (_collectors.Any(c => c.Has(name)))
            {
                throw new ArgumentException($"metric {name} is already registered by a collector", nameof(name));
            }
            var metric = create();
            _directNames.Add(name);
            return metric;
        }
    }

    private void Unregister(CollectorRegistration registration)
    {
        lock (_sync)
        {
            _collectors.Remove(registration);
        }
    }

    private sealed class CollectorRegistration(MetricsRegistry owner, CollectedMetricFamily[] families, Func<IEnumerable<MetricSample>> collect) : IDisposable
    {
        public bool Has(string name) => families.Any(f => f.Name == name);

        public void WriteTo(StringBuilder text)
        {
            var byFamily = families.ToDictionary(f => f.Name, _ => new List<MetricSample>(), StringComparer.Ordinal);
            foreach (var sample in collect())
            {
                if (!byFamily.TryGetValue(sample.Name, out var samples))
                {
                    throw new InvalidOperationException($"collector produced metric {sample.Name}, which it did not register");
                }
                samples.Add(sample);
            }
            foreach (var family in families)
            {
                var samples = byFamily[family.Name];
                foreach (var sample in samples)
                {
                    if (sample.LabelValues.Count != family.LabelNames.Count)
                    {
                        throw new InvalidOperationException(
                            $"metric {family.Name} takes {family.LabelNames.Count} label values, a sample had {sample.LabelValues.Count}");
                    }
                }
                // Like Go's client: a family with nothing to report is left out, not written empty.
                if (samples.Count > 0)
                {
                    ExpositionTextWriter.WriteFamily(text, family, samples);
                }
            }
        }

        public void Dispose() => owner.Unregister(this);
    }
}
