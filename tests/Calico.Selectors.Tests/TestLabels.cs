namespace Calico.Selectors.Tests;

/// <summary>Compact label maps for theory rows: "a=b,c=d"; "" is the empty map.</summary>
internal static class TestLabels
{
    public static Dictionary<string, string> Parse(string spec)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (spec.Length == 0)
        {
            return labels;
        }

        foreach (var pair in spec.Split(','))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            labels[pair[..eq]] = pair[(eq + 1)..];
        }

        return labels;
    }
}
