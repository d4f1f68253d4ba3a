using System.Text;
using Calico.Bird.Rendering;

namespace Calico.Bird;

/// <summary>The BGP template and one <c>protocol bgp</c> per peering.</summary>
public static partial class BirdConfigRenderer
{
    private static void WritePeerings(StringBuilder w, BgpTopology topology, List<BirdPeering> peerings)
    {
        var listenPort = topology.ListenPortOf(topology.Self.Name);
        w.Append('\n');
        w.Append("# Template for all BGP peers.\n");
        w.Append("template bgp bgp_template {\n");
        WriteBgpDebug(w, topology.Inputs);
        w.Append("  description \"Connection to BGP peer\";\n");
        w.Append("  local as ").Append(topology.SelfAsNumber).Append(";\n");
        if (listenPort is { } port)
        {
            // BIRD 2 has no global "listen bgp"; the port is per session (bindMode NodeIP: BirdConfigRenderer.BindMode.cs).
            w.Append("  local port ").Append(port).Append(";\n");
        }

        if (BindsNodeIp(topology))
        {
            // bindMode NodeIP: each session's listening socket is bound to its local address (a session without a
            // source address gets the node IP below), never to the wildcard address.
            w.Append("  strict bind on;\n");
        }

        w.Append("  graceful restart on; # A restarting node's routes stay in its peers' kernels.\n");
        w.Append("  connect delay time 2;\n  connect retry time 5;\n  error wait time 5,30;\n}\n");

        if (peerings.Count == 0)
        {
            w.Append("\n# No BGP peers configured for this node.\n");
            return;
        }

        foreach (var peering in peerings)
        {
            WritePeering(w, topology, peering);
        }
    }

    private static void WritePeering(StringBuilder w, BgpTopology topology, BirdPeering p)
    {
        var effectiveAs = p.LocalAsNumber ?? topology.SelfAsNumber;
        w.Append('\n');
        w.Append("protocol bgp ").Append(p.Name).Append(" from bgp_template {\n");
        if (p.LocalAsNumber is { } localAs)
        {
            w.Append("  local as ").Append(localAs).Append(";\n");
        }

        w.Append("  neighbor ").Append(p.Ip);
        if (p.Port is { } port)
        {
            w.Append(" port ").Append(port);
        }

        w.Append(" as ").Append(p.AsNumber).Append(";\n");
        if (p.SourceAddress is not null)
        {
            w.Append("  source address ").Append(p.SourceAddress).Append(";\n");
        }
        else if (BindsNodeIp(topology) && topology.Self.Address(p.Family) is { } bindAddress)
        {
            w.Append("  source address ").Append(bindAddress).Append("; # bindMode NodeIP: strict bind needs a local address.\n");
        }

        if (p.TtlSecurityHops is { } hops)
        {
            w.Append("  ttl security on;\n  multihop ").Append(hops).Append(";\n");
        }
        else
        {
            w.Append("  ttl security off;\n  multihop;\n");
        }

        if (p.Passive)
        {
            w.Append("  passive on;\n");
        }

        if (p.GracefulRestartSeconds is { } restart)
        {
            w.Append("  graceful restart time ").Append(restart).Append(";\n");
        }

        if (p.KeepaliveSeconds is { } keepalive)
        {
            w.Append("  keepalive time ").Append(keepalive).Append(";\n");
        }

        if (p.ReflectorClusterId is not null)
        {
            w.Append("  rr client;\n  rr cluster id ").Append(p.ReflectorClusterId).Append(";\n");
        }

        if (p.Password is not null)
        {
            w.Append("  password \"").Append(Quote(p.Password, $"password of BGP peering {p.Name}", secret: true)).Append("\";\n");
        }

        if (p.AllowLocalAs is { } allow)
        {
            w.Append("  allow local as ").Append(allow).Append(";\n");
        }

        w.Append("  ").Append(p.Family.Channel()).Append(" {\n");
        w.Append("    gateway recursive;\n    add paths on;\n");
        WriteImportFilter(w, p);
        WriteExportFilter(w, p, internalPeer: p.AsNumber == effectiveAs);
        if (p.NextHopSelf)
        {
            w.Append("    next hop self;\n");
        }

        if (p.NextHopKeep)
        {
            w.Append("    next hop keep;\n");
        }

        w.Append("  };\n}\n");
    }
}
