using Calico.Api;

namespace Calico.Bird.Tests;

/// <summary>BGPFilter rendering details the golden cases do not show: missing filters, families, bad stored values.</summary>
[Trait("Tier", "Unit")]
public sealed class BgpFilterRenderingTests
{
    private const string Base = """
        # node: node-a
        apiVersion: projectcalico.org/v3
        kind: BGPConfiguration
        metadata: {name: default}
        spec: {nodeToNodeMeshEnabled: true}
        ---
        apiVersion: projectcalico.org/v3
        kind: Node
        metadata: {name: node-a}
        spec: {bgp: {ipv4Address: 10.0.0.1/24}}
        ---
        apiVersion: projectcalico.org/v3
        kind: Node
        metadata: {name: node-b}
        spec: {bgp: {ipv4Address: 10.0.0.2/24}}
        ---
        apiVersion: projectcalico.org/v3
        kind: BGPPeer
        metadata: {name: tor}
        spec: {peerIP: 10.0.0.254, asNumber: 65000, filters: [f, gone]}
        ---
        apiVersion: projectcalico.org/v3
        kind: BGPFilter
        metadata: {name: f}
        spec:
          exportV4:
          - {cidr: 10.70.0.0/16, matchOperator: In, action: Reject}
          importV6:
          - {action: Reject}
        """;

    [Fact]
    public void MissingFilters_PeerListsUnknownFilter_NamedWithPeer()
    {
        var missing = BirdConfigRenderer.MissingFilters(GoldenCase.Parse(Base));

        Assert.Equal([new MissingBgpFilter("tor", "gone")], missing);
    }

    [Fact]
    public void Render_FilterListedByPeer_RunsBeforeCalicoExportOnThatPeeringOnly()
    {
        var text = BirdConfigRenderer.Render(GoldenCase.Parse(Base));

        var tor = text[text.IndexOf("protocol bgp Global_10_0_0_254", StringComparison.Ordinal)..];
        var call = tor.IndexOf("'bgp_f_exportFilterV4'();", StringComparison.Ordinal);
        Assert.InRange(call, 0, tor.IndexOf("calico_export_to_bgp_peers_v4(false);", StringComparison.Ordinal));
        // The IPv6 import rules have no IPv4 session to run on; the IPv4 session imports all.
        Assert.Contains("import all;", tor, StringComparison.Ordinal);
        var mesh = text[text.IndexOf("protocol bgp Mesh_10_0_0_2", StringComparison.Ordinal)..text.IndexOf("protocol bgp Global_10_0_0_254", StringComparison.Ordinal)];
        Assert.DoesNotContain("bgp_f_", mesh, StringComparison.Ordinal);
        Assert.Contains("# BGPPeer tor lists BGPFilter gone, which does not exist", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_StoredCommunityOutOfRange_RefusedNamingRuleField()
    {
        // Validation refuses this at the boundary; a value written around it must not become a broken bird.cfg.
        var inputs = GoldenCase.Parse(Base);
        var filter = inputs.Filters.Single();
        filter.Spec.ExportV4![0].Communities = new BGPFilterCommunityMatch { Values = ["70000:1"] };

        var error = Assert.Throws<BirdInputException>(() => BirdConfigRenderer.Render(inputs));

        Assert.Equal("BGPFilter(f).spec.exportV4[0].communities.values[0]", error.Field);
    }
}
