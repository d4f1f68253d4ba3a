namespace Calico.Bird.Control;

/// <summary>
/// One protocol of <c>show protocols all</c>: its row of the protocols table and, for BGP, the detail lines'
/// <c>BGP state:</c> (<c>Established</c>, <c>Active</c>, <c>Connect</c>, ..., <c>Down</c> when disabled) and
/// <c>Neighbor address:</c>. Null where the protocol has no such line.
/// </summary>
public sealed record BirdProtocolDetail(BirdProtocolStatus Row, string? BgpState, string? NeighborAddress)
{
    /// <summary>Parses the reply: rows (1002) each followed by their detail lines (1006).</summary>
    public static IReadOnlyList<BirdProtocolDetail> ParseAll(BirdReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (reply.IsError)
        {
            throw new BirdControlException("BIRD refused 'show protocols all': " + reply.Text);
        }

        var result = new List<BirdProtocolDetail>();
        BirdProtocolStatus? row = null;
        string? state = null, neighbor = null;
        foreach (BirdReplyLine line in reply.Lines)
        {
            if (line.Code == 1002)
            {
                Flush();
                row = BirdProtocolTable.ParseRow(line.Text);
            }
            else if (line.Code == 1006 && row is not null)
            {
                string text = line.Text.Trim();
                state ??= After(text, "BGP state:");
                neighbor ??= After(text, "Neighbor address:");
            }
        }

        Flush();
        return result;

        void Flush()
        {
            if (row is not null)
            {
                result.Add(new BirdProtocolDetail(row, state, neighbor));
            }

            row = null;
            state = null;
            neighbor = null;
        }
    }

    private static string? After(string text, string key) =>
        text.StartsWith(key, StringComparison.Ordinal) ? text[key.Length..].Trim() : null;
}
