using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Calico.Api;

namespace Calico.Bird.Rendering;

/// <summary>
/// BGPPeer resources → the peerings this node opens, as upstream's confd computes them: global peers first (a
/// node-specific duplicate of a global peering to the same IP and port is dropped), then node-specific ones
/// (<c>node</c> or <c>nodeSelector</c> naming this node), then automatic reverse peerings (a node selected by a
/// peer's <c>peerSelector</c> or <c>peerIP</c> peers back with the nodes the peer applies to). First one wins.
/// </summary>
internal sealed class ExplicitPeerPlanner(BgpTopology topology, BirdInputs inputs)
{
    private readonly Dictionary<(bool Global, string Ip, ushort Port), PeerCandidate> _emitted = [];
    private readonly List<(bool Global, PeerCandidate Candidate)> _order = [];

    public IEnumerable<BirdPeering> Plan()
    {
        var peers = inputs.Peers.OrderBy(p => p.Metadata.Name, StringComparer.Ordinal).ToList();
        foreach (var globalPass in new[] { true, false })
        {
            foreach (var peer in peers)
            {
                var isGlobal = string.IsNullOrEmpty(peer.Spec.Node) && string.IsNullOrEmpty(peer.Spec.NodeSelector);
                if (globalPass != isGlobal || !string.IsNullOrEmpty(peer.Spec.LocalWorkloadSelector) || (!isGlobal && !AppliesToSelf(peer)))
                {
                    continue;
                }

                foreach (var candidate in Expand(peer))
                {
                    Emit(isGlobal, candidate);
                }
            }
        }

        foreach (var peer in peers)
        {
            EmitReverse(peer);
        }

        return _order
            .Select(e => Resolve(e.Global ? PeeringKind.Global : PeeringKind.Node, e.Candidate))
            .OfType<BirdPeering>()
            .OrderBy(p => p.Kind)
            .ThenBy(p => p.Name, StringComparer.Ordinal);
    }

    private bool AppliesToSelf(BGPPeer peer) =>
        !string.IsNullOrEmpty(peer.Spec.NodeSelector)
            ? topology.SelectorMatchesSelf(peer.Spec.NodeSelector, $"BGPPeer({peer.Metadata.Name}).spec.nodeSelector")
            : peer.Spec.Node == topology.Self.Name;

    private IEnumerable<PeerCandidate> Expand(BGPPeer peer)
    {
        if (!string.IsNullOrEmpty(peer.Spec.PeerSelector))
        {
            return topology.NodesMatching(peer.Spec.PeerSelector, $"BGPPeer({peer.Metadata.Name}).spec.peerSelector")
                .SelectMany(n => NodeAsCandidates(n, IpFamily.V4, IpFamily.V6, peer));
        }

        return FromPeerIp(peer) is { } candidate ? [candidate] : [];
    }

    private PeerCandidate? FromPeerIp(BGPPeer peer)
    {
        if (!TrySplitHostPort(peer.Spec.PeerIP, out var host, out var port))
        {
            return null;
        }

        var asNumber = peer.Spec.AsNumber
            ?? throw new BirdInputException($"BGPPeer({peer.Metadata.Name}).spec.asNumber", null, "required with peerIP");
        if (port == 0 && NodesWithIpAndAs(host, peer.Spec.AsNumber, 0).FirstOrDefault() is { } node)
        {
            // A Calico node peered by IP alone is reached on the port its BIRD listens on.
            port = topology.ListenPortOf(node.Name) ?? 0;
        }

        var family = host.Contains(':', StringComparison.Ordinal) ? IpFamily.V6 : IpFamily.V4;
        return WithResourceFields(new PeerCandidate(host, family, asNumber)
        {
            Port = port,
            LocalAsNumber = peer.Spec.LocalASNumber,
            TtlSecurityHops = peer.Spec.TtlSecurity ?? 0,
            NextHopMode = peer.Spec.NextHopMode,
            KeepOriginalNextHop = peer.Spec.NextHopMode is null && (peer.Spec.KeepOriginalNextHop ?? false),
            NumAllowedLocalAs = peer.Spec.NumAllowedLocalASNumbers ?? 0,
            IsCalicoNode = topology.Nodes.Any(n => n.Ipv4 == host || n.Ipv6 == host),
            ReachableBy = ReachableByFor(peer, family),
        }, peer);
    }

    private IEnumerable<PeerCandidate> NodeAsCandidates(BgpNode node, IpFamily? first, IpFamily? second, BGPPeer peer)
    {
        foreach (var family in new[] { first, second })
        {
            if (family is not { } f || node.Address(f) is not { } ip)
            {
                continue;
            }

            yield return WithResourceFields(new PeerCandidate(ip, f, topology.AsNumberOf(node))
            {
                Port = topology.ListenPortOf(node.Name) ?? 0,
                TtlSecurityHops = peer.Spec.TtlSecurity ?? 0,
                NextHopMode = peer.Spec.NextHopMode,
                KeepOriginalNextHop = peer.Spec.NextHopMode is null && (peer.Spec.KeepOriginalNextHop ?? false),
                IsCalicoNode = true,
                RouteReflectorClusterId = node.RouteReflectorClusterId,
                ReachableBy = ReachableByFor(peer, f),
            }, peer);
        }
    }

    /// <summary>The fields upstream copies from the resource onto every peering it yields.</summary>
    private PeerCandidate WithResourceFields(PeerCandidate candidate, BGPPeer peer) => candidate with
    {
        Password = inputs.PasswordFor(peer.Spec.Password),
        SourceAddressMode = string.IsNullOrEmpty(peer.Spec.SourceAddress) ? "UseNodeIP" : peer.Spec.SourceAddress,
        RestartSeconds = BgpTimers.ToRoundedSeconds(peer.Spec.MaxRestartTime),
        KeepaliveSeconds = BgpTimers.ToRoundedSeconds(peer.Spec.KeepaliveTime),
        Filters = peer.Spec.Filters ?? [],
    };

    private void EmitReverse(BGPPeer peer)
    {
        if (peer.Spec.ReversePeering == "Manual" || !string.IsNullOrEmpty(peer.Spec.LocalWorkloadSelector))
        {
            return;
        }

        IEnumerable<BgpNode> localNodes;
        IpFamily? v4 = IpFamily.V4, v6 = IpFamily.V6;
        if (!string.IsNullOrEmpty(peer.Spec.PeerSelector))
        {
            localNodes = topology.NodesMatching(peer.Spec.PeerSelector, $"BGPPeer({peer.Metadata.Name}).spec.peerSelector");
        }
        else if (TrySplitHostPort(peer.Spec.PeerIP, out var host, out var port))
        {
            localNodes = NodesWithIpAndAs(host, peer.Spec.AsNumber, port);
            // Peered by one address: reverse only over that family.
            (v4, v6) = host.Contains(':', StringComparison.Ordinal) ? ((IpFamily?)null, v6) : (v4, null);
        }
        else
        {
            return;
        }

        if (!localNodes.Any(n => ReferenceEquals(n, topology.Self)))
        {
            return;
        }

        var peerNodes = !string.IsNullOrEmpty(peer.Spec.NodeSelector)
            ? topology.NodesMatching(peer.Spec.NodeSelector, $"BGPPeer({peer.Metadata.Name}).spec.nodeSelector")
            : !string.IsNullOrEmpty(peer.Spec.Node)
                ? topology.Nodes.Where(n => n.Name == peer.Spec.Node)
                : topology.Nodes;
        foreach (var node in peerNodes)
        {
            foreach (var candidate in NodeAsCandidates(node, v4, v6, peer))
            {
                Emit(global: false, candidate);
            }
        }
    }

    private void Emit(bool global, PeerCandidate candidate)
    {
        if (_emitted.ContainsKey((global, candidate.Ip, candidate.Port))
            || (!global && _emitted.ContainsKey((true, candidate.Ip, candidate.Port))))
        {
            return;
        }

        _emitted[(global, candidate.Ip, candidate.Port)] = candidate;
        _order.Add((global, candidate));
    }

    /// <summary>The candidate as a session from this node; null when it is this node itself or the family is off here.</summary>
    private BirdPeering? Resolve(PeeringKind kind, PeerCandidate c)
    {
        var own = topology.Self.Address(c.Family);
        if (own is null || c.Ip == own)
        {
            return null;
        }

        var effectiveAs = c.LocalAsNumber ?? topology.SelfAsNumber;
        var selfCluster = topology.Self.RouteReflectorClusterId;
        var reflectToPeer = c.AsNumber == effectiveAs && selfCluster is not null && c.RouteReflectorClusterId != selfCluster;
        ushort? port = c.Port > 0 ? c.Port : null;
        return new BirdPeering(PeeringNames.For(kind, c.Ip, port), kind, c.Family, c.Ip, c.AsNumber)
        {
            Port = port,
            LocalAsNumber = c.LocalAsNumber,
            SourceAddress = c.SourceAddressMode == "UseNodeIP" ? own : null,
            TtlSecurityHops = c.TtlSecurityHops > 0 ? c.TtlSecurityHops : null,
            Passive = kind == PeeringKind.Global && c.IsCalicoNode && string.CompareOrdinal(c.Ip, own) > 0,
            GracefulRestartSeconds = c.RestartSeconds,
            KeepaliveSeconds = c.KeepaliveSeconds,
            ReflectorClusterId = reflectToPeer ? selfCluster : null,
            Password = c.Password,
            NextHopSelf = c.NextHopMode == "Self",
            NextHopKeep = c.NextHopMode == "Keep" || (c.KeepOriginalNextHop && c.AsNumber != effectiveAs),
            AllowLocalAs = c.NumAllowedLocalAs > 0 ? c.NumAllowedLocalAs : null,
            ReachableBy = c.ReachableBy,
            Filters = c.Filters,
        };
    }

    /// <summary>Calico nodes with this IP whose AS is the peer's (an unset AS means the global one).</summary>
    private IEnumerable<BgpNode> NodesWithIpAndAs(string ip, uint? asNumber, ushort port)
    {
        var wanted = asNumber ?? topology.GlobalAsNumber;
        return topology.Nodes.Where(n =>
            (n.Ipv4 == ip || n.Ipv6 == ip)
            && topology.AsNumberOf(n) == wanted
            && (port == 0 || (topology.ListenPortOf(n.Name) ?? port) == port));
    }

    private static string? ReachableByFor(BGPPeer peer, IpFamily family)
    {
        var gateway = peer.Spec.ReachableBy;
        if (string.IsNullOrEmpty(gateway) || !Cidr.TryParseAddress(gateway, out var address))
        {
            return null;
        }

        var gatewayFamily = address.AddressFamily == AddressFamily.InterNetwork ? IpFamily.V4 : IpFamily.V6;
        return gatewayFamily == family ? address.ToString() : null;
    }

    /// <summary>Go's <c>net.SplitHostPort</c> with a bare-IP fallback: "ip", "ip:port", "[v6]:port".</summary>
    internal static bool TrySplitHostPort(string? text, out string host, out ushort port)
    {
        host = "";
        port = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        string hostText = text;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= text.Length || text[close + 1] != ':'
                || !ushort.TryParse(text.AsSpan(close + 2), NumberStyles.None, CultureInfo.InvariantCulture, out port))
            {
                return false;
            }

            hostText = text[1..close];
        }
        else if (text.Count(c => c == ':') == 1)
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (!ushort.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port))
            {
                return false;
            }

            hostText = text[..colon];
        }

        if (!Cidr.TryParseAddress(hostText, out IPAddress address))
        {
            return false;
        }

        host = address.ToString();
        return true;
    }
}
