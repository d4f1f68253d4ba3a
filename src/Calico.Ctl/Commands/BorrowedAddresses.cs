using Calico.Api;
using Calico.Ipam;

namespace Calico.Ctl.Commands;

/// <summary>
/// Upstream's <c>getBorrowedIPs</c> (calicoctl/commands/ipam/show.go): every allocation whose <c>node</c> attribute is
/// not the block's host, i.e. borrowed from another node's block or taken from a block with no affinity. Allocations
/// with no <c>node</c> attribute cannot be classified and are only counted. Pure.
/// </summary>
internal sealed record BorrowedAddresses(IReadOnlyList<BorrowedAddresses.Row> Rows, int Unclassified)
{
    /// <summary>One line of the table: IP, BORROWING-NODE, BLOCK, BLOCK OWNER, TYPE, ALLOCATED-TO.</summary>
    internal sealed record Row(string Ip, string BorrowingNode, string Block, string BlockOwner, string Type, string AllocatedTo);

    public static readonly string[] Headings = ["IP", "BORROWING-NODE", "BLOCK", "BLOCK OWNER", "TYPE", "ALLOCATED-TO"];

    public static BorrowedAddresses From(IReadOnlyList<BlockInfo> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        var rows = new List<Row>();
        int unclassified = 0;
        foreach (var b in blocks)
        {
            // Upstream splits the affinity on ':' ("host:node-2" -> "node-2").
            string owner = "";
            if (b.Affinity is { } affinity)
            {
                string[] parts = affinity.Split(':');
                owner = parts.Length == 2 ? parts[1] : parts[0];
            }

            foreach (var a in b.Allocations)
            {
                if (!a.Attributes.TryGetValue("node", out var node))
                {
                    unclassified++;
                    continue;
                }

                if (node == owner)
                {
                    continue;
                }

                a.Attributes.TryGetValue("namespace", out var ns);
                string type = "";
                string allocatedTo = "";
                if (a.Attributes.TryGetValue("vmi-name", out var vmi))
                {
                    type = "vmi";
                    allocatedTo = $"{ns}/{vmi}";
                }
                else if (a.Attributes.TryGetValue("pod", out var pod))
                {
                    type = "pod";
                    allocatedTo = $"{ns}/{pod}";
                }
                else if (a.Attributes.TryGetValue("type", out var t))
                {
                    type = t;
                }

                rows.Add(new Row(a.Address.ToString(), node, Cidr.Format(b.Cidr), owner, type, allocatedTo));
            }
        }

        return new BorrowedAddresses(rows, unclassified);
    }

    /// <summary>The table as upstream prints it (go-pretty's default style), and its note on unclassified addresses.</summary>
    public string Render()
    {
        var text = BoxTable.Render(Headings, [.. Rows.Select(r => (IReadOnlyList<string>)[r.Ip, r.BorrowingNode, r.Block, r.BlockOwner, r.Type, r.AllocatedTo])], rightAligned: []);
        if (Unclassified != 0)
        {
            text += $"\nNote: found {Unclassified} IP allocations without an explicit node association. Unable to determine if they are borrowed.\n";
        }

        return text;
    }
}
