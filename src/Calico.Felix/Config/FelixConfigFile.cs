namespace Calico.Felix.Config;

/// <summary>
/// Parses <c>/etc/calico/felix.cfg</c>, an INI file read the way upstream reads it with go-ini: every section is
/// merged (normally there is only <c>[global]</c>), <c>#</c> and <c>;</c> start comments, <c>=</c> or <c>:</c>
/// separates name and value, surrounding quotes are stripped, and a later duplicate wins.
/// </summary>
public static class FelixConfigFile
{
    public const string DefaultPath = "/etc/calico/felix.cfg";

    /// <summary>Returns the entries in file order and the problems, each naming its line.</summary>
    public static (IReadOnlyList<ConfigFileEntry> Entries, IReadOnlyList<ConfigProblem> Problems) Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = new List<ConfigFileEntry>();
        var problems = new List<ConfigProblem>();
        var section = "DEFAULT";
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var lineNumber = i + 1;
            var line = lines[i].TrimEnd('\r').Trim();
            if (i == 0)
                line = line.TrimStart('\uFEFF');
            if (line.Length == 0 || line[0] is '#' or ';')
                continue;
            if (line[0] == '[')
            {
                var close = line.IndexOf(']', StringComparison.Ordinal);
                if (close < 0)
                {
                    problems.Add(Error(lineNumber, $"unclosed section header '{line}'"));
                    continue;
                }
                section = line[1..close].Trim();
                continue;
            }
            var separator = line.IndexOfAny(['=', ':']);
            if (separator < 0)
            {
                problems.Add(Error(lineNumber, $"expected 'Name = value', got '{line}'"));
                continue;
            }
            var key = line[..separator].Trim();
            if (key.Length == 0)
            {
                problems.Add(Error(lineNumber, $"missing parameter name in '{line}'"));
                continue;
            }
            var value = CleanValue(line[(separator + 1)..].Trim());
            entries.Add(new ConfigFileEntry(section, key, value, lineNumber));
        }
        return (entries, problems);
    }

    private static string CleanValue(string value)
    {
        if (value.Length >= 2 && value[0] is '"' or '\'' && value[^1] == value[0])
            return value[1..^1];
        // go-ini strips an inline comment that follows whitespace.
        for (var i = 1; i < value.Length; i++)
        {
            if (value[i] is '#' or ';' && char.IsWhiteSpace(value[i - 1]))
                return value[..i].TrimEnd();
        }
        return value;
    }

    private static ConfigProblem Error(int line, string message) =>
        new(ConfigProblemSeverity.Error, ConfigSource.ConfigFile, null, $"config file line {line}: {message}");
}
