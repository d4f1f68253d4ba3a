using System.Text.Json;
using Calico.Lab.Cluster;

namespace Calico.Lab.Tests;

/// <summary>
/// CalicoNodeStatus on the shared routing lab: calico-node on host1 fills the status of a resource naming host1
/// from its own BIRD (agent, BGP sessions, routes), every second, and a session the ToR takes down shows as such.
/// </summary>
[Collection(CrossHostCollection.Name)]
[Trait("Tier", "Cluster")]
public sealed class NodeStatusLabTests(RoutingLabFixture fixture)
{
    private const string Name = "host1-status";

    private const string Request = """
        apiVersion: projectcalico.org/v3
        kind: CalicoNodeStatus
        metadata:
          name: host1-status
        spec:
          node: host1
          classes: [Agent, BGP, Routes]
          updatePeriodSeconds: 1
        """;

    [Fact]
    public async Task Host1Status_ShowsMeshAndTorSessionsAndRoutes_ThenTheTorSessionGoingDown()
    {
        string host2 = fixture.Host("host2").Address;
        string host3 = fixture.Host("host3").Address;
        await fixture.Lab.CalicoctlAsync(Request, "apply", "-f", "-");
        bool torDisabled = false;
        try
        {
            JsonElement status = default;
            bool healthy = await LabRunner.EventuallyAsync(async () =>
            {
                status = await StatusAsync();
                return State(status, "agent", "birdV4") == "Ready"
                    && Peer(status, host2) is ("NodeMesh", "Established")
                    && Peer(status, host3) is ("NodeMesh", "Established")
                    && Peer(status, FabricAddressing.TorAddress) is ("GlobalPeer", "Established")
                    && HasRoute(status, FabricAddressing.TorAnnouncedPrefix, "BGPPeer", FabricAddressing.TorAddress);
            }, CrossHostFixture.Converge);
            Assert.True(healthy, "host1's CalicoNodeStatus never showed its sessions and the ToR's route:\n" + status);
            Assert.True(status.GetProperty("status").GetProperty("bgp").GetProperty("numberEstablishedV4").GetInt32() >= 3);
            Assert.False(string.IsNullOrEmpty(status.GetProperty("status").GetProperty("lastUpdated").GetString()));

            // calicoctl's YAML shows the status too.
            string yaml = await fixture.Lab.CalicoctlAsync(null, "get", "caliconodestatus", Name, "-o", "yaml");
            Assert.Contains("peersV4:", yaml, StringComparison.Ordinal);
            Assert.Contains("routesV4:", yaml, StringComparison.Ordinal);

            // The ToR drops its session with host1: the status follows within a few periods.
            await fixture.TorBirdcAsync("disable", "host1");
            torDisabled = true;
            bool down = await LabRunner.EventuallyAsync(async () =>
            {
                status = await StatusAsync();
                return Peer(status, FabricAddressing.TorAddress) is ("GlobalPeer", var state) && state != "Established"
                    && status.GetProperty("status").GetProperty("bgp").GetProperty("numberNotEstablishedV4").GetInt32() >= 1
                    && Peer(status, host2) is (_, "Established");
            }, CrossHostFixture.Converge);
            Assert.True(down, "host1's CalicoNodeStatus still shows the ToR session established:\n" + status);
        }
        finally
        {
            if (torDisabled)
            {
                await fixture.TorBirdcAsync("enable", "host1");
                await LabRunner.EventuallyAsync(async () => await fixture.BgpStateAsync("host1", FabricAddressing.TorAddress) == "Established", CrossHostFixture.Converge);
            }

            await fixture.Lab.CalicoctlAsync(null, "delete", "caliconodestatus", Name);
        }
    }

    private async Task<JsonElement> StatusAsync()
    {
        string json = await fixture.Lab.CalicoctlAsync(null, "get", "caliconodestatus", Name, "-o", "json");
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static string? State(JsonElement resource, params string[] path)
    {
        JsonElement e = resource.GetProperty("status");
        foreach (string p in path)
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(p, out e))
            {
                return null;
            }
        }

        return e.TryGetProperty("state", out JsonElement state) ? state.GetString() : null;
    }

    private static (string? Type, string? State)? Peer(JsonElement resource, string address)
    {
        if (!resource.GetProperty("status").TryGetProperty("bgp", out JsonElement bgp) || !bgp.TryGetProperty("peersV4", out JsonElement peers)
            || peers.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (JsonElement peer in peers.EnumerateArray())
        {
            if (peer.TryGetProperty("peerIP", out JsonElement ip) && ip.GetString() == address)
            {
                return (Text(peer, "type"), Text(peer, "state"));
            }
        }

        return null;
    }

    private static bool HasRoute(JsonElement resource, string destination, string sourceType, string peerIp)
    {
        if (!resource.GetProperty("status").TryGetProperty("routes", out JsonElement routes) || !routes.TryGetProperty("routesV4", out JsonElement list)
            || list.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        return list.EnumerateArray().Any(r => Text(r, "destination") == destination && r.TryGetProperty("learnedFrom", out JsonElement from)
            && Text(from, "sourceType") == sourceType && Text(from, "peerIP") == peerIp);
    }

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
