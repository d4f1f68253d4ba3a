using System.Globalization;

namespace Calico.Lab.Cluster;

/// <summary>
/// The lab's network namespaces and links (see <see cref="FabricAddressing"/> for the plan): the fabric router with
/// bridges br0 and br1, the outside namespace on a veth <c>out0</c>, each host on a veth port <c>hI</c> of its
/// subnet's bridge, the top-of-rack router on ports <c>tor0</c> of br0 (its eth0) and <c>tor1</c> of br1 (its eth1).
/// Every namespace forwards v4 and v6.
/// </summary>
public static class LabTopology
{
    public static async Task CreateFabricAsync(LabLayout layout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var fabric = layout.FabricNetns;
        await NewNetnsAsync(fabric, cancellationToken).ConfigureAwait(false);
        for (var subnet = 0; subnet <= 1; subnet++)
        {
            var bridge = FabricAddressing.Bridge(subnet);
            await Ip(cancellationToken, "-n", fabric, "link", "add", bridge, "type", "bridge").ConfigureAwait(false);
            await Ip(cancellationToken, "-n", fabric, "addr", "add", $"{FabricAddressing.RouterAddress(subnet)}/{FabricAddressing.PrefixLength}", "dev", bridge).ConfigureAwait(false);
            await Ip(cancellationToken, "-n", fabric, "-6", "addr", "add", $"{FabricAddressing.RouterAddress6(subnet)}/{FabricAddressing.PrefixLength6}", "dev", bridge, "nodad").ConfigureAwait(false);
            await Ip(cancellationToken, "-n", fabric, "link", "set", bridge, "up").ConfigureAwait(false);
        }
    }

    /// <summary>The outside: default routes back through the fabric router, which knows no pod routes.</summary>
    public static async Task CreateOutsideAsync(LabLayout layout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var outside = layout.OutsideNetns;
        await NewNetnsAsync(outside, cancellationToken).ConfigureAwait(false);
        await Ip(cancellationToken, "-n", layout.FabricNetns, "link", "add", "out0", "type", "veth", "peer", "name", "eth0", "netns", outside).ConfigureAwait(false);
        await Ip(cancellationToken, "-n", layout.FabricNetns, "addr", "add", $"{FabricAddressing.OutsideRouterAddress}/{FabricAddressing.OutsidePrefixLength}", "dev", "out0").ConfigureAwait(false);
        await Ip(cancellationToken, "-n", layout.FabricNetns, "-6", "addr", "add", $"{FabricAddressing.OutsideRouterAddress6}/{FabricAddressing.OutsidePrefixLength6}", "dev", "out0", "nodad").ConfigureAwait(false);
        await Ip(cancellationToken, "-n", layout.FabricNetns, "link", "set", "out0", "up").ConfigureAwait(false);
        await ConfigureEth0Async(
            outside, $"{FabricAddressing.OutsideAddress}/{FabricAddressing.OutsidePrefixLength}", $"{FabricAddressing.OutsideAddress6}/{FabricAddressing.OutsidePrefixLength6}",
            FabricAddressing.OutsideRouterAddress, FabricAddressing.OutsideRouterAddress6, cancellationToken).ConfigureAwait(false);
    }

    public static async Task CreateHostAsync(LabLayout layout, LabHost host, int index, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(host);
        await NewNetnsAsync(host.Netns, cancellationToken).ConfigureAwait(false);
        await AttachAsync(layout, string.Create(CultureInfo.InvariantCulture, $"h{index}"), host.Netns, host.Subnet, cancellationToken).ConfigureAwait(false);
        // A host with no default route makes proxy ARP on its cali interfaces silent.
        await ConfigureEth0Async(
            host.Netns, $"{host.Address}/{FabricAddressing.PrefixLength}", $"{host.Address6}/{FabricAddressing.PrefixLength6}",
            FabricAddressing.RouterAddress(host.Subnet), FabricAddressing.RouterAddress6(host.Subnet), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The ToR: its address (the BGP peer every host is given) on subnet 0, so subnet 1's hosts reach it through the
    /// fabric router (BGP multihop); a second leg on subnet 1 carries its traffic to those hosts' workloads directly.
    /// </summary>
    public static async Task CreateTorAsync(LabLayout layout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var tor = layout.TorNetns;
        await NewNetnsAsync(tor, cancellationToken).ConfigureAwait(false);
        await AttachAsync(layout, "tor0", tor, 0, cancellationToken).ConfigureAwait(false);
        await ConfigureEth0Async(
            tor, $"{FabricAddressing.TorAddress}/{FabricAddressing.PrefixLength}", $"{FabricAddressing.TorAddress6}/{FabricAddressing.PrefixLength6}",
            FabricAddressing.RouterAddress(0), FabricAddressing.RouterAddress6(0), cancellationToken).ConfigureAwait(false);
        await AttachAsync(layout, "tor1", tor, 1, cancellationToken, "eth1").ConfigureAwait(false);
        await Ip(cancellationToken, "-n", tor, "addr", "add", $"{FabricAddressing.TorLegAddress}/{FabricAddressing.PrefixLength}", "dev", "eth1").ConfigureAwait(false);
        await Ip(cancellationToken, "-n", tor, "-6", "addr", "add", $"{FabricAddressing.TorLegAddress6}/{FabricAddressing.PrefixLength6}", "dev", "eth1", "nodad").ConfigureAwait(false);
        await Ip(cancellationToken, "-n", tor, "link", "set", "eth1", "up").ConfigureAwait(false);
        // Asymmetric by design: subnet 1's hosts answer the ToR through the fabric router, it sends to them on eth1.
        foreach (var device in (string[])["all", "default", "eth0", "eth1"])
        {
            await Command.SysctlAsync(tor, $"net.ipv4.conf.{device}.rp_filter", "0", cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task NewNetnsAsync(string netns, CancellationToken cancellationToken)
    {
        await Ip(cancellationToken, "netns", "add", netns).ConfigureAwait(false);
        await Ip(cancellationToken, "-n", netns, "link", "set", "lo", "up").ConfigureAwait(false);
        await Command.SysctlAsync(netns, "net.ipv4.ip_forward", "1", cancellationToken).ConfigureAwait(false);
        await Command.SysctlAsync(netns, "net.ipv6.conf.all.forwarding", "1", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A veth from a port of the subnet's bridge to <paramref name="inside"/> in <paramref name="netns"/>.</summary>
    private static async Task AttachAsync(LabLayout layout, string port, string netns, int subnet, CancellationToken cancellationToken, string inside = "eth0")
    {
        var fabric = layout.FabricNetns;
        await Ip(cancellationToken, "-n", fabric, "link", "add", port, "type", "veth", "peer", "name", inside, "netns", netns).ConfigureAwait(false);
        await Ip(cancellationToken, "-n", fabric, "link", "set", port, "master", FabricAddressing.Bridge(subnet), "up").ConfigureAwait(false);
    }

    private static async Task ConfigureEth0Async(string netns, string address, string address6, string gateway, string gateway6, CancellationToken cancellationToken)
    {
        await Ip(cancellationToken, "-n", netns, "addr", "add", address, "dev", "eth0").ConfigureAwait(false);
        // nodad: the address is usable at once (duplicate detection would hold it "tentative" for a second or two).
        await Ip(cancellationToken, "-n", netns, "-6", "addr", "add", address6, "dev", "eth0", "nodad").ConfigureAwait(false);
        await Ip(cancellationToken, "-n", netns, "link", "set", "eth0", "up").ConfigureAwait(false);
        await Ip(cancellationToken, "-n", netns, "route", "add", "default", "via", gateway).ConfigureAwait(false);
        await Ip(cancellationToken, "-n", netns, "-6", "route", "add", "default", "via", gateway6).ConfigureAwait(false);
    }

    private static Task<string> Ip(CancellationToken cancellationToken, params string[] arguments) => Command.IpAsync(cancellationToken, arguments);
}
