using Calico.Lab.Cluster;
using Calico.TestKit;

namespace Calico.Benchmarks;

/// <summary>
/// <c>routing</c>: BGP propagation and cross-host traffic of a two-host calico-lab, each beside an anchor measured
/// in the same run (hand-configured BIRDs; hand-built routed and VXLAN paths). Prints figures and ratios; asserts
/// nothing. Root; needs bird, birdc, iperf3 and the built calico-node/calico (CALICO_LAB_BIN_DIR, else out/bin).
/// <c>ROUTING_PARTS</c> (comma-separated <c>new-block</c>, <c>traffic</c>, <c>restart</c>; default all) runs a subset,
/// each part in its own file.
/// </summary>
internal static class RoutingBenchmarks
{
    public static async Task RunAsync()
    {
        CancellationToken cancellationToken = CancellationToken.None;
        IpTool.RequireRootTier();
        HashSet<string> parts = Parts();
        Console.WriteLine($"routing (two-host calico-lab vs hand-built anchors, same run): {string.Join(", ", parts)}");

        Console.WriteLine(" lab, encapsulation none (BGP)");
        await using (RoutingLab lab = await RoutingLab.UpAsync(UpOptions.EncapsulationNone, cancellationToken))
        {
            await lab.WaitForMeshAsync(cancellationToken);
            LabPod client = await lab.RunPodAsync("host1", "client", cancellationToken);
            if (parts.Contains("new-block"))
            {
                await RoutingNewBlockPart.RunAsync(lab, client, cancellationToken);
            }

            LabPod server = await lab.RunPodAsync("host2", "server", cancellationToken);
            if (parts.Contains("traffic"))
            {
                await RoutingTrafficPart.CompareAsync(
                    new RoutingPath("lab BGP-routed pod -> pod", client.Netns, server.Netns, server.Address),
                    conntrack => RoutingHandBuilt.Create(vxlan: false, conntrack),
                    cancellationToken);
            }

            if (parts.Contains("restart"))
            {
                await RoutingRestartPart.RunAsync(lab, server.Address, cancellationToken);
            }
        }

        if (parts.Contains("traffic"))
        {
            Console.WriteLine(" lab, encapsulation vxlan");
            await using RoutingLab lab = await RoutingLab.UpAsync(UpOptions.EncapsulationVxlan, cancellationToken);
            LabPod client = await lab.RunPodAsync("host1", "client", cancellationToken);
            LabPod server = await lab.RunPodAsync("host2", "server", cancellationToken);
            string mtu = (await RoutingShell.IpAsync(server.Netns, cancellationToken, "-o", "link", "show", "eth0")).Split(" mtu ")[1].Split(' ')[0];
            Stats.Row("lab pod eth0 MTU (hand-built VXLAN pods: 1450)", mtu);
            string route = await RoutingShell.IpAsync(lab.Layout.HostNetns("host1"), cancellationToken, "-4", "route", "get", server.Address);
            Stats.Row("host1 route to the server pod", route.Split('\n')[0].Trim());
            await RoutingTrafficPart.CompareAsync(
                new RoutingPath("lab VXLAN pod -> pod", client.Netns, server.Netns, server.Address),
                conntrack => RoutingHandBuilt.Create(vxlan: true, conntrack),
                cancellationToken);
        }
    }

    private static HashSet<string> Parts()
    {
        string[] known = ["new-block", "traffic", "restart"];
        string? asked = Environment.GetEnvironmentVariable("ROUTING_PARTS");
        if (string.IsNullOrWhiteSpace(asked))
        {
            return [.. known];
        }

        var parts = asked.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        string? unknown = parts.FirstOrDefault(p => !known.Contains(p));
        return unknown is null
            ? parts
            : throw new ArgumentException($"ROUTING_PARTS: unknown part '{unknown}' (known: {string.Join(", ", known)})");
    }
}
