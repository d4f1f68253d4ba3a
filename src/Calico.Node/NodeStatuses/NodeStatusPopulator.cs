using Calico.Api;
using Calico.Bird;
using Calico.Bird.Control;

namespace Calico.Node.NodeStatuses;

/// <summary>
/// Turns what BIRD said into <c>CalicoNodeStatus.status</c> for the classes asked, as upstream's populators
/// (node/pkg/status/populators: bird_status.go, peers.go, route.go) do. Pure. Upstream runs one BIRD per family
/// (bird, bird6); here one BIRD 2 serves both, so its daemon status fills <c>birdV4</c> and <c>birdV6</c>, sessions
/// are split by their neighbour's family and routes by their destination's. A class not asked stays empty.
/// </summary>
internal static class NodeStatusPopulator
{
    private static readonly HashSet<string> SessionStates = new(StringComparer.Ordinal)
    {
        "Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established", "Close",
    };

    /// <summary>The status for <paramref name="classes"/> (without <c>lastUpdated</c>, which the writer sets).</summary>
    public static CalicoNodeStatusStatus Build(IReadOnlyCollection<string> classes, BirdSnapshot bird)
    {
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentNullException.ThrowIfNull(bird);
        var status = new CalicoNodeStatusStatus();
        if (classes.Contains(NodeStatusClasses.Agent))
        {
            status.Agent = new CalicoNodeAgentStatus { BirdV4 = Daemon(bird.Daemon), BirdV6 = Daemon(bird.Daemon) };
        }

        if (classes.Contains(NodeStatusClasses.Bgp))
        {
            status.Bgp = Bgp(bird);
        }

        if (classes.Contains(NodeStatusClasses.Routes))
        {
            status.Routes = Routes(bird);
        }

        return status;
    }

    private static BGPDaemonStatus Daemon(BirdDaemonStatus? daemon) => daemon is null
        ? new BGPDaemonStatus { State = "NotReady" }
        : new BGPDaemonStatus
        {
            State = daemon.Up ? "Ready" : "NotReady",
            Version = daemon.Version,
            RouterID = daemon.RouterId,
            LastBootTime = daemon.LastReboot,
            LastReconfigurationTime = daemon.LastReconfiguration,
        };

    private static CalicoNodeBGPStatus Bgp(BirdSnapshot bird)
    {
        var v4 = new List<CalicoNodePeer>();
        var v6 = new List<CalicoNodePeer>();
        int up4 = 0, down4 = 0, up6 = 0, down6 = 0;
        foreach (BirdProtocolDetail protocol in bird.Protocols)
        {
            if (protocol.Row.Proto != "BGP" || BirdPeerName.TryDecode(protocol.Row.Name) is not { } name)
            {
                continue; // not a Calico peering (upstream: Mesh_, Global_, Node_ names only)
            }

            string address = protocol.NeighborAddress ?? name.Address;
            bool ipv6 = address.Contains(':', StringComparison.Ordinal);
            bool established = protocol.Row.State == "up";
            var peer = new CalicoNodePeer
            {
                PeerIP = address,
                Type = PeerType(name),
                State = protocol.BgpState is { } s && SessionStates.Contains(s) ? s : null,
                Since = protocol.Row.Since,
            };
            (ipv6 ? v6 : v4).Add(peer);
            if (ipv6)
            {
                up6 += established ? 1 : 0;
                down6 += established ? 0 : 1;
            }
            else
            {
                up4 += established ? 1 : 0;
                down4 += established ? 0 : 1;
            }
        }

        return new CalicoNodeBGPStatus
        {
            NumberEstablishedV4 = up4,
            NumberNotEstablishedV4 = down4,
            NumberEstablishedV6 = up6,
            NumberNotEstablishedV6 = down6,
            PeersV4 = v4.Count == 0 ? null : v4,
            PeersV6 = v6.Count == 0 ? null : v6,
        };
    }

    private static CalicoNodeBGPRouteStatus Routes(BirdSnapshot bird)
    {
        var v4 = new List<CalicoNodeRoute>();
        var v6 = new List<CalicoNodeRoute>();
        foreach (BirdRoute route in bird.Routes)
        {
            if (LearnedFrom(route.Protocol) is not { } learnedFrom)
            {
                continue;
            }

            var entry = new CalicoNodeRoute
            {
                Type = route.Primary ? "FIB" : "RIB",
                Destination = route.Destination,
                Gateway = route.Gateway ?? "N/A",
                Interface = route.Interface ?? (route.Kind is "blackhole" or "unreachable" or "prohibit" ? route.Kind : null),
                LearnedFrom = learnedFrom,
            };
            (route.Destination.Contains(':', StringComparison.Ordinal) ? v6 : v4).Add(entry);
        }

        return new CalicoNodeBGPRouteStatus { RoutesV4 = v4.Count == 0 ? null : v4, RoutesV6 = v6.Count == 0 ? null : v6 };
    }

    /// <summary>
    /// Upstream's reading of the protocol name: <c>kernel*</c>, <c>static*</c>, <c>direct*</c>, else a peering name
    /// (mesh: NodeMesh; global or node-specific BGPPeer: BGPPeer, with the peer's address). Any other protocol (one
    /// upstream's BIRD config does not have) is left out rather than failing the whole report.
    /// </summary>
    private static CalicoNodeRouteLearnedFrom? LearnedFrom(string protocol)
    {
        if (protocol.StartsWith("kernel", StringComparison.Ordinal))
        {
            return new CalicoNodeRouteLearnedFrom { SourceType = "Kernel" };
        }

        if (protocol.StartsWith("static", StringComparison.Ordinal))
        {
            return new CalicoNodeRouteLearnedFrom { SourceType = "Static" };
        }

        if (protocol.StartsWith("direct", StringComparison.Ordinal))
        {
            return new CalicoNodeRouteLearnedFrom { SourceType = "Direct" };
        }

        return BirdPeerName.TryDecode(protocol) is { } peer
            ? new CalicoNodeRouteLearnedFrom { SourceType = PeerType(peer) == "NodeMesh" ? "NodeMesh" : "BGPPeer", PeerIP = peer.Address }
            : null;
    }

    private static string PeerType(BirdPeerName name) => name.PeerType switch
    {
        "node-to-node mesh" => "NodeMesh",
        "global" => "GlobalPeer",
        _ => "NodePeer",
    };
}
