using System.Net.Sockets;

namespace Calico.Bird.Control;

/// <summary>The BGP state BIRD reports for one neighbour (<c>show protocols all</c>: "BGP state: Established").</summary>
public static class BirdBgpState
{
    /// <summary>"none" when no protocol has that neighbour address.</summary>
    public static string Of(string showProtocolsAllText, string neighbor)
    {
        ArgumentNullException.ThrowIfNull(showProtocolsAllText);
        string? state = null;
        bool inBlock = false;
        foreach (string line in showProtocolsAllText.Split('\n'))
        {
            // A line starting in column 0 opens the next protocol's block.
            if (line.Length > 0 && !char.IsWhiteSpace(line[0]))
            {
                inBlock = false;
                state = null;
            }

            string text = line.Trim();
            if (text.StartsWith("BGP state:", StringComparison.Ordinal))
            {
                state = text["BGP state:".Length..].Trim();
            }

            if (text == "Neighbor address: " + neighbor)
            {
                inBlock = true;
            }

            if (inBlock && state is not null)
            {
                return state;
            }
        }

        return "none";
    }

    /// <summary>Asks the BIRD at <paramref name="socketPath"/>; "none" also when no BIRD answers there.</summary>
    public static async Task<string> QueryAsync(string socketPath, string neighbor, CancellationToken cancellationToken)
    {
        try
        {
            await using BirdControl control = await BirdControl.ConnectAsync(socketPath, cancellationToken).ConfigureAwait(false);
            BirdReply reply = await control.SendAsync("show protocols all", cancellationToken).ConfigureAwait(false);
            // As birdc prints it: a protocol's header row (code 1002) in column 0, its details indented.
            return Of(string.Join('\n', reply.Lines.Select(l => l.Code == 1002 ? l.Text.TrimStart() : "  " + l.Text)), neighbor);
        }
        catch (Exception e) when (e is BirdControlException or IOException or SocketException)
        {
            return "none";
        }
    }
}
