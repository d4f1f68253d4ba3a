using System.Text.RegularExpressions;

namespace Calico.Bird.Control;

/// <summary>Parses the reply to <c>show protocols</c> (heading 2002, rows 1002).</summary>
public static partial class BirdProtocolTable
{
    private static readonly string[] ExpectedHeadings = ["Name", "Proto", "Table", "State", "Since", "Info"];

    public static IReadOnlyList<BirdProtocolStatus> Parse(BirdReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (reply.IsError)
        {
            throw new BirdControlException("BIRD refused 'show protocols': " + reply.Text);
        }

        var rows = new List<BirdProtocolStatus>();
        foreach (var line in reply.Lines)
        {
            if (line.Code == 2002)
            {
                var headings = line.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (!headings.SequenceEqual(ExpectedHeadings, StringComparer.OrdinalIgnoreCase))
                {
                    throw new BirdControlException("unknown BIRD table output format: " + line.Text);
                }
            }
            else if (line.Code == 1002 && ParseRow(line.Text) is { } row)
            {
                rows.Add(row);
            }
        }

        return rows;
    }

    /// <summary>
    /// Columns are split on spaces (names longer than BIRD's column width push the rest right, so fixed offsets do not
    /// work). A since of "2026-11-25 12:50:57" (BIRD's "iso long") is kept as one column.
    /// </summary>
    internal static BirdProtocolStatus? ParseRow(string text)
    {
        var columns = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (columns.Length < 5)
        {
            return null;
        }

        var since = columns[4];
        var infoStart = 5;
        if (columns.Length > 5 && DateLike().IsMatch(since) && TimeLike().IsMatch(columns[5]))
        {
            since += " " + columns[5];
            infoStart = 6;
        }

        return new BirdProtocolStatus(columns[0], columns[1], columns[2], columns[3], since, string.Join(' ', columns.Skip(infoStart)));
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$")]
    private static partial Regex DateLike();

    [GeneratedRegex(@"^\d{2}:\d{2}:\d{2}(\.\d+)?$")]
    private static partial Regex TimeLike();
}
