namespace Calico.Lab.Tests.Packaging;

/// <summary>
/// A systemd unit file read as systemd reads it (sections, <c>Key=Value</c> lines, <c>#</c>/<c>;</c> comments,
/// backslash continuations; a key may repeat). Throws <see cref="FormatException"/> naming the line it cannot read.
/// </summary>
public sealed class SystemdUnitFile
{
    private readonly List<(string Section, string Key, string Value)> _entries = [];

    public SystemdUnitFile(string path)
    {
        Path = path;
        string? section = null;
        string[] lines = File.ReadAllLines(path);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            int number = i + 1;
            while (line.EndsWith('\\') && i + 1 < lines.Length)
            {
                line = line[..^1] + " " + lines[++i].Trim();
            }

            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                section = line.EndsWith(']') ? line[1..^1] : throw new FormatException($"{path}:{number}: unterminated section header '{line}'");
                continue;
            }

            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (section is null || equals <= 0)
            {
                throw new FormatException($"{path}:{number}: not a Key=Value line in a section: '{line}'");
            }

            _entries.Add((section, line[..equals].Trim(), line[(equals + 1)..].Trim()));
        }
    }

    public string Path { get; }

    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>Every value of <paramref name="key"/> in <paramref name="section"/>, in order.</summary>
    public IReadOnlyList<string> All(string section, string key) =>
        [.. _entries.Where(e => e.Section == section && e.Key == key).Select(e => e.Value)];

    /// <summary>The single value of the key; fails when it is missing or repeated.</summary>
    public string One(string section, string key)
    {
        var values = All(section, key);
        Assert.True(values.Count == 1, $"{Name}: [{section}] {key} is set {values.Count} times, expected once");
        return values[0];
    }

    /// <summary>A command line as systemd splits it: the prefixes (<c>-@:+!</c>) apart, words split on spaces, double or single quotes.</summary>
    public static (string Prefixes, IReadOnlyList<string> Words) SplitCommand(string command)
    {
        int start = 0;
        while (start < command.Length && command[start] is '-' or '@' or ':' or '+' or '!')
        {
            start++;
        }

        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        char quote = '\0';
        bool inWord = false;
        foreach (char c in command[start..])
        {
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        Assert.True(quote == '\0', $"unterminated quote in command '{command}'");
        if (inWord)
        {
            words.Add(word.ToString());
        }

        return (command[..start], words);
    }
}
