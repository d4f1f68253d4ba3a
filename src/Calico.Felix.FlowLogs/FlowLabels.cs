namespace Calico.Felix.FlowLogs;

/// <summary>Labels as upstream's flow logs carry them: "key=value" strings, sorted (ordinal).</summary>
public static class FlowLabels
{
    public static IReadOnlyList<string> Flatten(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var flat = new string[labels.Count];
        int i = 0;
        foreach (var (k, v) in labels)
        {
            flat[i++] = k + "=" + v;
        }

        Array.Sort(flat, StringComparer.Ordinal);
        return flat;
    }
}
