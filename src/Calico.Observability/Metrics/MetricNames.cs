namespace Calico.Observability.Metrics;

/// <summary>The exposition format's name grammar: metric [a-zA-Z_:][a-zA-Z0-9_:]*, label [a-zA-Z_][a-zA-Z0-9_]*.</summary>
internal static class MetricNames
{
    public static void ValidateMetricName(string name)
    {
        if (!IsValid(name, allowColon: true))
        {
            throw new ArgumentException($"invalid metric name \"{name}\"", nameof(name));
        }
    }

    public static void ValidateLabelName(string label, string metric)
    {
        // "__" prefixed labels are reserved for Prometheus itself.
        if (!IsValid(label, allowColon: false) || label.StartsWith("__", StringComparison.Ordinal))
        {
            throw new ArgumentException($"invalid label name \"{label}\" on metric {metric}", nameof(label));
        }
    }

    private static bool IsValid(string? name, bool allowColon)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_'
                || (allowColon && c == ':')
                || (i > 0 && c is >= '0' and <= '9');
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }
}
