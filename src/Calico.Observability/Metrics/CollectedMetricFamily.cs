namespace Calico.Observability.Metrics;

/// <summary>Name, help, type and label names of a metric whose samples a collector produces at scrape time.</summary>
public sealed class CollectedMetricFamily
{
    public CollectedMetricFamily(string name, string help, CollectedMetricType type, params string[] labelNames)
    {
        MetricNames.ValidateMetricName(name);
        ArgumentNullException.ThrowIfNull(help);
        ArgumentNullException.ThrowIfNull(labelNames);
        foreach (var label in labelNames)
        {
            MetricNames.ValidateLabelName(label, name);
        }
        if (labelNames.Distinct(StringComparer.Ordinal).Count() != labelNames.Length)
        {
            throw new ArgumentException($"metric {name} repeats a label name", nameof(labelNames));
        }
        Name = name;
        Help = help;
        Type = type;
        LabelNames = [.. labelNames];
    }

    public string Name { get; }
    public string Help { get; }
    public CollectedMetricType Type { get; }
    public IReadOnlyList<string> LabelNames { get; }
}
