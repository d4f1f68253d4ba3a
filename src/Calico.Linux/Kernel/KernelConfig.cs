namespace Calico.Linux.Kernel;

/// <summary>
/// A kernel build configuration (<c>/proc/config.gz</c>, <c>/boot/config-$(uname -r)</c>): option name to value
/// (<c>y</c>, <c>m</c>, a number or a quoted string). <c># CONFIG_X is not set</c> and an absent option both mean
/// "not built"; <see cref="Value"/> answers null for either.
/// </summary>
public sealed class KernelConfig
{
    private readonly Dictionary<string, string> _values;

    private KernelConfig(Dictionary<string, string> values, string source)
    {
        _values = values;
        Source = source;
    }

    /// <summary>Where the text came from (a path), for reasons such as "CONFIG_NET_IPIP is not set in /proc/config.gz".</summary>
    public string Source { get; }

    /// <summary>Options set to a value (explicitly unset ones are not counted).</summary>
    public int Count => _values.Count;

    /// <summary>
    /// Parses Kconfig output. Comment lines (including "is not set") and blank lines are skipped; a line that is
    /// neither a comment nor <c>CONFIG_NAME=value</c> is ignored too, since a config from a distribution may carry
    /// extra lines and one odd line must not make every feature unknown.
    /// </summary>
    public static KernelConfig Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string raw in text.Split('\n'))
        {
            ReadOnlySpan<char> line = raw.AsSpan().Trim();
            if (line.IsEmpty || line[0] == '#')
            {
                continue;
            }

            int equals = line.IndexOf('=');
            if (equals <= 0 || !line.StartsWith("CONFIG_", StringComparison.Ordinal))
            {
                continue;
            }

            values[line[..equals].ToString()] = line[(equals + 1)..].ToString();
        }

        return new KernelConfig(values, source);
    }

    /// <summary>The option's value, or null when it is not set (commented out or absent).</summary>
    public string? Value(string option) => _values.TryGetValue(option, out string? value) ? value : null;

    /// <summary>Whether the kernel can load modules at all (CONFIG_MODULES=y).</summary>
    public bool ModulesEnabled => Value("CONFIG_MODULES") == "y";
}
