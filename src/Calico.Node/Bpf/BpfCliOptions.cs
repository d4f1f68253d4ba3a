namespace Calico.Node.Bpf;

/// <summary>One command's arguments: its positional ones, the flags given, and the valued options (--x v or --x=v).</summary>
public sealed class BpfCliOptions
{
    private readonly HashSet<string> _flags;
    private readonly Dictionary<string, string> _values;

    private BpfCliOptions(List<string> positional, HashSet<string> flags, Dictionary<string, string> values)
    {
        Positional = positional;
        _flags = flags;
        _values = values;
    }

    public IReadOnlyList<string> Positional { get; }

    public bool Has(params string[] names) => names.Any(_flags.Contains);

    public string? Value(string name) => _values.GetValueOrDefault(name);

    /// <summary>Refuses an unknown option, a valued option without its value, and a wrong count of positional arguments, naming them.</summary>
    public static BpfCliOptions Parse(IReadOnlyList<string> args, string command, string[]? flags = null, string[]? valued = null, int positional = 0)
    {
        flags ??= [];
        valued ??= [];
        var given = new HashSet<string>(StringComparer.Ordinal);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var plain = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith('-') || arg == "-")
            {
                plain.Add(arg);
                continue;
            }

            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            string name = equals > 0 ? arg[..equals] : arg;
            if (valued.Contains(name))
            {
                string? value = equals > 0 ? arg[(equals + 1)..] : i + 1 < args.Count ? args[++i] : null;
                values[name] = string.IsNullOrEmpty(value) ? throw new BpfUsageException($"{command}: {name} needs a value") : value;
            }
            else if (flags.Contains(arg))
            {
                given.Add(arg);
            }
            else
            {
                var known = flags.Concat(valued).ToList();
                throw new BpfUsageException($"{command}: unknown option '{arg}'" + (known.Count == 0 ? " (it takes none)" : $" (it takes {string.Join(", ", known)})"));
            }
        }

        if (plain.Count != positional)
        {
            throw new BpfUsageException(positional == 0
                ? $"{command}: unexpected argument '{plain[0]}'"
                : $"{command}: {plain.Count} arguments where it takes {positional}");
        }

        return new BpfCliOptions(plain, given, values);
    }
}
