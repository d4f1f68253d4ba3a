using System.Globalization;

namespace Calico.Lab.Cluster;

/// <summary>
/// What <c>up</c> says before it builds a lab whose pods cannot all reach each other: with <c>--encapsulation none</c>
/// pod traffic between hosts on different subnets goes through the fabric router, which knows no pod routes (BGP runs
/// between the hosts, and the top-of-rack router of <c>--tor</c> learns the routes but is not on that path), so the
/// pods of a host across the fabric are unreachable from the other subnet's pods. Allowed (it is how the lab shows
/// why encapsulation exists), never silent.
/// </summary>
public static class FabricWarnings
{
    /// <summary>The warning for these options, or null when every pod can reach every other.</summary>
    public static string? Unreachable(UpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Encapsulation != UpOptions.EncapsulationNone || options.NoNode || options.Hosts is < 3 or > UpOptions.MaxHosts)
        {
            return null;
        }

        var bySubnet = Enumerable.Range(1, options.Hosts).GroupBy(FabricAddressing.SubnetOf).OrderBy(g => g.Key).ToList();
        if (bySubnet.Count < 2)
        {
            return null;
        }

        var near = bySubnet[0].Select(LabLayout.HostName).ToList();
        var far = bySubnet[1].Select(LabLayout.HostName).ToList();
        var tor = options.Tor
            ? " --tor does not change that: the top-of-rack router learns every pod route and reaches every pod itself, but the hosts' traffic to the other subnet goes through the fabric router."
            : "";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"warning: --encapsulation none: {Join(far)} ({FabricAddressing.Subnet(1)}) {(far.Count == 1 ? "is" : "are")} across the fabric router from {Join(near)} ({FabricAddressing.Subnet(0)}), " +
            $"and the fabric router knows no pod routes (BGP runs between the hosts only; it drops their packets silently, with no route back for an ICMP error either): pods on {Join(far)} are unreachable from pods on {Join(near)} and the other way round.{tor} " +
            $"Use --encapsulation vxlan-crosssubnet (the default: VXLAN between subnets, plain routing within one) or vxlan.");
    }

    private static string Join(List<string> hosts) =>
        hosts.Count <= 4 ? string.Join(", ", hosts) : string.Join(", ", hosts.Take(3)) + string.Create(CultureInfo.InvariantCulture, $", … ({hosts.Count} hosts)");

    /// <summary>
    /// The note under <c>matrix</c> when its pods sit on both sides of the fabric router of a lab brought up with
    /// <c>--encapsulation none</c>: those cells read X (no answer) because nothing routes them, not because of policy.
    /// </summary>
    public static string? MatrixNote(LabState state, IReadOnlyList<LabPod> pods)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(pods);
        if (state.Encapsulation != UpOptions.EncapsulationNone)
        {
            return null;
        }

        var subnets = state.Hosts.ToDictionary(h => h.Name, h => h.Subnet, StringComparer.Ordinal);
        var across = pods.Where(p => subnets.GetValueOrDefault(p.Host) == 1).Select(p => $"{p.Id} ({p.Host})").ToList();
        if (across.Count == 0 || across.Count == pods.Count)
        {
            return null;
        }

        return $"note: the lab runs with --encapsulation none and {string.Join(", ", across)} sit(s) across the fabric router, which knows no pod routes: " +
            "X between them and the other subnet's pods means no route (dropped silently), whatever the policy says\n";
    }
}
