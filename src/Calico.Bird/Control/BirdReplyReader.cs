using System.Globalization;

namespace Calico.Bird.Control;

/// <summary>Assembles reply lines as they arrive: tells when a reply is complete. Pure, so it is tested on text.</summary>
public sealed class BirdReplyReader
{
    private readonly List<BirdReplyLine> _lines = [];
    private int _lastCode;

    /// <summary>Adds one line (without its newline); true when it was the reply's final line.</summary>
    public bool Add(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (line.StartsWith(' '))
        {
            _lines.Add(new BirdReplyLine(_lastCode, line[1..]));
            return false;
        }

        if (line.Length < 5 || !int.TryParse(line.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var code)
            || (line[4] != '-' && line[4] != ' '))
        {
            throw new BirdControlException($"unexpected line from BIRD: '{line}'");
        }

        _lastCode = code;
        _lines.Add(new BirdReplyLine(code, line[5..]));
        return line[4] == ' ';
    }

    /// <summary>The lines so far as a reply, and a fresh start for the next one.</summary>
    public BirdReply Take()
    {
        var reply = new BirdReply(_lines.ToArray());
        _lines.Clear();
        return reply;
    }
}
