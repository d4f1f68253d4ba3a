using System.Text;
using Calico.Bird;
using Calico.Bird.Control;

namespace Calico.Ctl.Commands;

/// <summary>
/// The BGP part of <c>calicoctl node status</c>: one section per family, each a go-pretty table of Calico's BGP
/// protocols (peer address and type decoded from the protocol name) or <c>No IPvN peers found.</c>.
/// </summary>
internal static class NodeStatusTable
{
    private static readonly string[] Headings = ["PEER ADDRESS", "PEER TYPE", "STATE", "SINCE", "INFO"];

    public static string Render(IReadOnlyList<BirdProtocolStatus> protocols)
    {
        var text = new StringBuilder();
        foreach (var ipv6 in new[] { false, true })
        {
            var family = ipv6 ? "IPv6" : "IPv4";
            text.Append('\n').Append(family).Append(" BGP status\n");
            var rows = new List<IReadOnlyList<string>>();
            foreach (var protocol in protocols)
            {
                if (protocol.Proto == "BGP" && BirdPeerName.TryDecode(protocol.Name) is { } peer && peer.IsIPv6 == ipv6)
                {
                    rows.Add([peer.Address, peer.PeerType, protocol.State, protocol.Since, protocol.Info]);
                }
            }

            text.Append(rows.Count == 0 ? $"No {family} peers found.\n" : BoxTable.Render(Headings, rows, []));
        }

        return text.ToString();
    }
}
