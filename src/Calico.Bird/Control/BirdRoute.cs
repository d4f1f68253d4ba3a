using System.Text.RegularExpressions;

namespace Calico.Bird.Control;

/// <summary>
/// One route of <c>show route</c> (BIRD 2): <c>10.70.2.0/26  unicast [Mesh_10_0_0_2 12:26:22.455] * (100) [i]</c>
/// followed by its next hops (<c>\tvia 10.0.0.2 on eth0</c>, <c>\tdev eth0</c>); an alternative route for the same
/// destination starts with spaces instead of the destination.
/// </summary>
/// <param name="Table">BIRD's table, e.g. <c>master4</c>.</param>
/// <param name="Destination">The prefix.</param>
/// <param name="Kind"><c>unicast</c>, <c>blackhole</c>, <c>unreachable</c> or <c>prohibit</c>.</param>
/// <param name="Gateway">The first next hop's gateway (<c>via</c>), if any.</param>
/// <param name="Interface">The first next hop's interface (<c>on</c>/<c>dev</c>), if any.</param>
/// <param name="Protocol">The protocol the route came from, e.g. <c>kernel_v4</c>, <c>Mesh_10_0_0_2</c>.</param>
/// <param name="Primary">The route BIRD selected for the destination (the <c>*</c>).</param>
public sealed partial record BirdRoute(string Table, string Destination, string Kind, string? Gateway, string? Interface, string Protocol, bool Primary)
{
    /// <summary>Parses every route of the reply (code 1007 and its continuations) in BIRD's order.</summary>
    public static IReadOnlyList<BirdRoute> ParseAll(BirdReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (reply.IsError)
        {
            throw new BirdControlException("BIRD refused 'show route': " + reply.Text);
        }

        var routes = new List<BirdRoute>();
        string table = "";
        string? destination = null;
        BirdRoute? pending = null;
        foreach (BirdReplyLine line in reply.Lines)
        {
            if (line.Code != 1007)
            {
                continue; // 1008/1012 attribute lines of "show route all", the final 0000
            }

            string text = line.Text;
            if (text.Trim().Length == 0)
            {
                continue;
            }

            if (TableLine().Match(text) is { Success: true } t)
            {
                Flush();
                table = t.Groups["table"].Value;
                destination = null;
            }
            else if (RouteLine().Match(text) is { Success: true } r)
            {
                Flush();
                if (r.Groups["dest"].Success)
                {
                    destination = r.Groups["dest"].Value;
                }

                if (destination is not null)
                {
                    pending = new BirdRoute(table, destination, r.Groups["kind"].Value, null, null, r.Groups["proto"].Value, r.Groups["primary"].Success);
                }
            }
            else if (pending is not null && pending.Interface is null && NextHopLine().Match(text) is { Success: true } h)
            {
                pending = pending with
                {
                    Gateway = h.Groups["gw"].Success ? h.Groups["gw"].Value : null,
                    Interface = h.Groups["iface"].Value,
                };
            }
        }

        Flush();
        return routes;

        void Flush()
        {
            if (pending is not null)
            {
                routes.Add(pending);
                pending = null;
            }
        }
    }

    [GeneratedRegex(@"^\s*Table (?<table>\S+):\s*$")]
    private static partial Regex TableLine();

    [GeneratedRegex(@"^(?:(?<dest>[0-9A-Fa-f.:]+/\d+)|\s)\s*(?<kind>[a-z]+)\s+\[(?<proto>\S+)[^\]]*\](?<primary>\s+\*)?")]
    private static partial Regex RouteLine();

    [GeneratedRegex(@"^\s+(?:via (?<gw>\S+) on (?<iface>\S+)|dev (?<iface>\S+))")]
    private static partial Regex NextHopLine();
}
