using System.Net;
using System.Net.Sockets;
using Calico.Api;
using Calico.Selectors;

namespace Calico.Bird.Rendering;

/// <summary>
/// BGPPeers with <c>localWorkloadSelector</c> → sessions with workloads on this node (upstream 3.30+: Felix's
/// <c>ActiveBGPPeerCalculator</c> picks, per local endpoint, the first BGPPeer by name whose <c>node</c> /
/// <c>nodeSelector</c> takes this node (none: every node) and whose selector matches the endpoint's labels; confd
/// renders one passive <c>Local_Workload_&lt;ip&gt;</c> session per address).
/// </summary>
internal static class LocalWorkloadPeerPlanner
{
    /// <summary>The selected workloads, ordered by endpoint key; empty when no BGPPeer has a local workload selector.</summary>
    public static IReadOnlyList<LocalWorkloadPeer> Select(BgpTopology topology, BirdInputs inputs)
    {
        var peers = inputs.Peers
            .Where(p => !string.IsNullOrEmpty(p.Spec.LocalWorkloadSelector) && AppliesToSelf(topology, p))
            .OrderBy(p => p.Metadata.Name, StringComparer.Ordinal)
            .Select(p => (Peer: p, Selector: Parse(p)))
            .ToList();
        if (peers.Count == 0)
        {
            return [];
        }

        var selected = new List<LocalWorkloadPeer>();
        foreach (var workload in inputs.LocalWorkloads
            .Where(w => w.Spec.Node == inputs.NodeName)
            .OrderBy(w => w.Metadata.Namespace, StringComparer.Ordinal)
            .ThenBy(w => w.Metadata.Name, StringComparer.Ordinal))
        {
            var labels = (IReadOnlyDictionary<string, string>?)workload.Metadata.Labels ?? new Dictionary<string, string>();
            var winner = peers.FirstOrDefault(p => p.Selector.Matches(labels)).Peer;
            if (winner?.Spec.AsNumber is not { } asNumber)
            {
                continue;
            }

            var (v4, v6) = Addresses(workload.Spec.IpNetworks);
            if (v4 is null && v6 is null)
            {
                continue; // no address yet (upstream waits for one too)
            }

            selected.Add(new LocalWorkloadPeer(
                workload.Metadata.Name ?? "",
                workload.Spec.InterfaceName ?? "",
                winner.Metadata.Name ?? "",
                asNumber,
                winner.Spec.LocalASNumber,
                v4,
                v6));
        }

        return selected;
    }

    /// <summary>
    /// One passive session per selected workload address whose family this node runs. Upstream gives these sessions
    /// no source address; with <c>bindMode: NodeIP</c> the session is bound to the family's peering IP (else the
    /// node IP) because BIRD 2 listens on a session's local address under <c>strict bind</c>.
    /// </summary>
    public static IEnumerable<BirdPeering> Plan(BgpTopology topology, BirdInputs inputs)
    {
        var spec = inputs.GlobalConfig?.Spec;
        bool bindNodeIp = spec?.BindMode == "NodeIP";
        // The winning BGPPeer's filters apply to its workload sessions, as upstream.
        var filtersByPeer = inputs.Peers.Where(p => p.Metadata.Name is not null)
            .GroupBy(p => p.Metadata.Name!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)(g.First().Spec.Filters ?? []), StringComparer.Ordinal);
        return Select(topology, inputs)
            .SelectMany(w => new[] { (Family: IpFamily.V4, Ip: w.Ipv4, Workload: w), (Family: IpFamily.V6, Ip: w.Ipv6, Workload: w) })
            .Where(s => s.Ip is not null && topology.Self.Address(s.Family) is not null)
            .Select(s => new BirdPeering(LocalName(s.Ip!), PeeringKind.LocalWorkload, s.Family, s.Ip!, s.Workload.AsNumber)
            {
                LocalAsNumber = s.Workload.LocalAsNumber,
                Passive = true,
                SourceAddress = bindNodeIp ? PeeringIp(spec, s.Family) ?? topology.Self.Address(s.Family) : null,
                Filters = filtersByPeer.GetValueOrDefault(s.Workload.PeerName) ?? [],
            })
            .GroupBy(p => p.Name, StringComparer.Ordinal)
            .Select(g => g.First())
            .OrderBy(p => p.Family)
            .ThenBy(p => p.Name, StringComparer.Ordinal);
    }

    /// <summary>The BGPConfiguration's peering address of <paramref name="family"/>, normalised; null when unset or unparseable.</summary>
    public static string? PeeringIp(BGPConfigurationSpec? spec, IpFamily family)
    {
        var text = family == IpFamily.V4 ? spec?.LocalWorkloadPeeringIPV4 : spec?.LocalWorkloadPeeringIPV6;
        var wanted = family == IpFamily.V4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        return !string.IsNullOrEmpty(text) && Cidr.TryParseAddress(text, out IPAddress address) && address.AddressFamily == wanted
            ? address.ToString()
            : null;
    }

    private static string LocalName(string ip) => "Local_Workload_" + ip.Replace('.', '_').Replace(':', '_');

    private static bool AppliesToSelf(BgpTopology topology, BGPPeer peer) =>
        !string.IsNullOrEmpty(peer.Spec.NodeSelector)
            ? topology.SelectorMatchesSelf(peer.Spec.NodeSelector, $"BGPPeer({peer.Metadata.Name}).spec.nodeSelector")
            : string.IsNullOrEmpty(peer.Spec.Node) || peer.Spec.Node == topology.Self.Name;

    private static Selector Parse(BGPPeer peer) =>
        Selector.TryParse(peer.Spec.LocalWorkloadSelector!, out var selector, out var error)
            ? selector
            : throw new BirdInputException($"BGPPeer({peer.Metadata.Name}).spec.localWorkloadSelector", peer.Spec.LocalWorkloadSelector, error.Message);

    /// <summary>The first IPv4 and the first IPv6 address of <c>ipNetworks</c> ("10.0.0.5/32"), as upstream's status file.</summary>
    private static (string? V4, string? V6) Addresses(List<string>? networks)
    {
        string? v4 = null, v6 = null;
        foreach (var network in networks ?? [])
        {
            if (!Cidr.TryParse(network, out _, out IPAddress address))
            {
                continue;
            }

            if (address.AddressFamily == AddressFamily.InterNetwork)
            {
                v4 ??= address.ToString();
            }
            else
            {
                v6 ??= address.ToString();
            }
        }

        return (v4, v6);
    }
}
