using System.Text.Json;
using Calico.Api;
using Calico.TestKit;

namespace Calico.Bird.Tests;

/// <summary>Cluster inputs and kernel reads shared by the real-BIRD tests.</summary>
internal static class BirdTestTopology
{
    public static Node Node(string name, string ipv4) => new()
    {
        Metadata = new ObjectMeta { Name = name },
        Spec = new NodeSpec { Bgp = new NodeBGPSpec { Ipv4Address = ipv4 + "/24" } },
    };

    public static IPPool Pool(string cidr) => new()
    {
        Metadata = new ObjectMeta { Name = "pool-" + cidr.Replace('/', '-') },
        Spec = new IPPoolSpec { Cidr = cidr },
    };

    public static BirdInputs Inputs(string node, IReadOnlyList<Node> nodes, IReadOnlyList<string> blocks, IReadOnlyList<BGPPeer>? peers = null) =>
        new(node, nodes, GlobalConfig: null, NodeConfigs: [], peers ?? [], [Pool("10.70.0.0/16")], blocks);

    /// <summary>The kernel's route to <paramref name="destination"/> as <c>ip -j route</c> reports it, if any.</summary>
    public static JsonElement? Route(NetnsScope ns, string destination)
    {
        foreach (var route in ns.IpJson("route", "show", "exact", destination).EnumerateArray())
        {
            return route;
        }

        return null;
    }

    public static string? Gateway(JsonElement? route) =>
        route is { } r && r.TryGetProperty("gateway", out var gateway) ? gateway.GetString() : null;

    public static string? Protocol(JsonElement? route) =>
        route is { } r && r.TryGetProperty("protocol", out var protocol) ? protocol.GetString() : null;

    public static string? Type(JsonElement? route) =>
        route is { } r && r.TryGetProperty("type", out var type) ? type.GetString() : null;
}
