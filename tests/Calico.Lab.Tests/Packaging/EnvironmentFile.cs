using System.Text.RegularExpressions;

namespace Calico.Lab.Tests.Packaging;

/// <summary>
/// A systemd <c>EnvironmentFile=</c> read as systemd reads it: <c>KEY=VALUE</c> lines, <c>#</c>/<c>;</c> comments,
/// a value in double or single quotes unquoted. A line systemd would reject (no <c>=</c>, a bad name) throws
/// <see cref="FormatException"/> naming it, so a broken shipped file fails the test that reads it.
/// </summary>
public static partial class EnvironmentFile
{
    public static Dictionary<string, string> Read(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string[] lines = File.ReadAllLines(path);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            int equals = line.IndexOf('=', StringComparison.Ordinal);
            string key = equals > 0 ? line[..equals].TrimEnd() : "";
            if (!Name().IsMatch(key))
            {
                throw new FormatException($"{path}:{i + 1}: not KEY=VALUE: '{line}'");
            }

            string value = line[(equals + 1)..].TrimStart();
            if (value.Length >= 2 && value[0] is '"' or '\'' && value[^1] == value[0])
            {
                value = value[1..^1];
            }

            values[key] = value;
        }

        return values;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Name();
}
