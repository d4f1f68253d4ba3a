namespace Calico.Bird.Control;

/// <summary>A complete reply: every line up to and including the final one (a code followed by a space).</summary>
public sealed record BirdReply(IReadOnlyList<BirdReplyLine> Lines)
{
    /// <summary>The code of the last line, which says how the command ended.</summary>
    public int FinalCode => Lines.Count == 0 ? 0 : Lines[^1].Code;

    /// <summary>Run-time (8xxx) or command-syntax (9xxx) error.</summary>
    public bool IsError => FinalCode >= 8000;

    /// <summary>The text of every line, one per line.</summary>
    public string Text => string.Join('\n', Lines.Select(l => l.Text));
}
