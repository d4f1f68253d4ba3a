namespace Calico.Observability.Metrics;

/// <summary>One value of a collected family; label values in the order of the family's label names.</summary>
public readonly record struct MetricSample(string Name, double Value, IReadOnlyList<string> LabelValues)
{
    public MetricSample(string name, double value)
        : this(name, value, [])
    {
    }
}
