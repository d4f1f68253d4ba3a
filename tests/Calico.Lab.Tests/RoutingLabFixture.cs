using Calico.Lab.Cluster;
using Calico.TestKit;

namespace Calico.Lab.Tests;

/// <summary>
/// The one lab every routing test class shares (a collection fixture of <see cref="CrossHostCollection"/>, so it
/// costs one lab start for all of them): calico-node on three hosts (host1 and host2 on subnet 0, host3 on subnet 1
/// across the fabric router), the ToR peering with each host (it announces
/// <see cref="FabricAddressing.TorAnnouncedPrefix"/> and its IPv6 twin), VXLAN CrossSubnet, pods x/a, x/b, x/c.
/// Every host peers with the ToR through the BGPPeers <see cref="TorPeer"/> and <see cref="TorPeer6"/> (and the
/// full mesh). Tests that change shared configuration (BGPConfiguration, BGPPeers, filters, pool modes) put it back
/// in a finally block.
/// </summary>
public sealed class RoutingLabFixture : CrossHostFixture
{
    /// <summary>The BGPPeer names of the ToR sessions (IPv4, IPv6), for tests that add <c>filters</c> to them.</summary>
    public const string TorPeer = "tor";
    public const string TorPeer6 = "tor-v6";

    protected override string[] UpArguments => ["--hosts", "3", "--tor", "--encapsulation", "vxlan-crosssubnet"];

    /// <summary>
    /// The ToR BGPPeers as the fixture creates them, with <c>filters</c> when given (BGPFilter names); a test that
    /// changed them applies <c>TorPeers()</c> to restore them.
    /// </summary>
    public static string TorPeers(params string[] filters) => TorPeersWith(filters.Length == 0 ? "" : "filters: [" + string.Join(", ", filters) + "]");

    private static string TorPeersWith(string filtersLine) => $"""
        apiVersion: projectcalico.org/v3
        kind: BGPPeer
        metadata:
          name: {TorPeer}
        spec:
          peerIP: {FabricAddressing.TorAddress}
          asNumber: {FabricAddressing.TorAsNumber}
          {filtersLine}
        ---
        apiVersion: projectcalico.org/v3
        kind: BGPPeer
        metadata:
          name: {TorPeer6}
        spec:
          peerIP: {FabricAddressing.TorAddress6}
          asNumber: {FabricAddressing.TorAsNumber}
          {filtersLine}
        """;

    protected override async Task AfterUpAsync() => await Lab.CalicoctlAsync(TorPeers(), "apply", "-f", "-");

    /// <summary><c>birdc show route all</c> (or other arguments) on the ToR: the external observer of what hosts advertise.</summary>
    public async Task<string> TorBirdcAsync(params string[] arguments)
    {
        var birdc = Prerequisites.Require("birdc");
        var result = await Command.RunAsync(birdc, ["-s", Layout.TorSocket, .. arguments], cancellationToken: CancellationToken.None);
        Assert.True(result.ExitCode == 0, $"birdc {string.Join(' ', arguments)} on the ToR exited {result.ExitCode}: {result.Output}{result.Error}");
        return result.Output;
    }

    /// <summary>birdc on a host's BIRD (calico-node's).</summary>
    public async Task<string> HostBirdcAsync(string host, params string[] arguments)
    {
        var birdc = Prerequisites.Require("birdc");
        var result = await Command.RunAsync(birdc, ["-s", LabLayout.BirdSocket(Host(host)), .. arguments], cancellationToken: CancellationToken.None);
        Assert.True(result.ExitCode == 0, $"birdc {string.Join(' ', arguments)} on {host} exited {result.ExitCode}: {result.Output}{result.Error}");
        return result.Output;
    }

    /// <summary>
    /// Whether the ToR's table has a route for exactly <paramref name="cidr"/>, from <paramref name="fromHost"/>'s
    /// session when given (the ToR's protocols are named after the hosts: host1, host1_v6).
    /// </summary>
    public async Task<bool> TorHasRouteAsync(string cidr, string? fromHost = null)
    {
        // birdc exits 1 when the network is not in the table: an answer here, not a failure.
        var birdc = Prerequisites.Require("birdc");
        var result = await Command.RunAsync(birdc, ["-s", Layout.TorSocket, "show", "route", cidr, "all"], cancellationToken: CancellationToken.None);
        var output = result.Output + result.Error;
        if (output.Contains("Network not found", StringComparison.Ordinal))
        {
            return false;
        }

        Assert.True(result.ExitCode == 0, $"birdc show route {cidr} all on the ToR exited {result.ExitCode}: {output}");
        if (!output.Contains(cidr, StringComparison.Ordinal))
        {
            return false;
        }

        var protocol = fromHost?.Replace('-', '_');
        return protocol is null || output.Contains("[" + protocol + " ", StringComparison.Ordinal) || output.Contains("[" + protocol + "_v6 ", StringComparison.Ordinal);
    }
}
