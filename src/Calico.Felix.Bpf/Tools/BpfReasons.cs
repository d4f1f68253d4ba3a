namespace Calico.Felix.Bpf.Tools;

/// <summary>One slot of cali_reasons: its index, its name in bpf/include/calico_maps.h (CALI_REASON_&lt;name&gt;), and what it counts.</summary>
public sealed record BpfReason(int Index, string Name, string Meaning);

/// <summary>
/// The slots of cali_reasons as calico_maps.h defines them (a unit test reads the header and compares, so a new reason
/// in the C must be named here).
/// </summary>
public static class BpfReasons
{
    /// <summary>CALI_REASON_COUNT: the array's size (unnamed slots are spare).</summary>
    public const int Count = 16;

    public static IReadOnlyList<BpfReason> All { get; } =
    [
        new(0, "UNKNOWN_IFACE", "dropped: no cali_eps entry for the interface"),
        new(1, "NOT_IP", "passed: not IP (ARP...)"),
        new(2, "MALFORMED", "dropped: truncated headers"),
        new(3, "CT_HIT", "reserved: conntrack hits are not counted"),
        new(4, "POLICY_ALLOW", "passed: policy allowed a new flow"),
        new(5, "POLICY_DENY", "dropped: policy denied a new flow"),
        new(6, "TO_HOST_DROP", "reserved (DefaultEndpointToHostAction is the table's INPUT chain's)"),
        new(7, "HOST_TO_WORKLOAD", "passed: from the host itself, not policed"),
        new(8, "BAD_TABLE", "dropped: rule missing mid-table or loop overrun"),
        new(9, "RELATED", "passed: ICMP error about a flow this hook allowed"),
        new(10, "ND", "passed: IPv6 neighbour discovery or MLD to the host"),
        new(11, "SPOOFED", "dropped: new flow from an address not routed to the workload"),
        new(12, "SNAT_NO_PORT", "dropped: NAT outgoing in BPF found no free source port for a new flow"),
        new(13, "VERDICT_CACHED", "of the new flows above: decided by a kept verdict (the verdict cache), no table walked"),
        new(14, "PORT_CLASH", "BPF NAT: a port both a host connection and a workload's flow wanted; one of them given another (packets of host flows re-ported, and ports passed over)"),
    ];

    /// <summary>The slot's name, or "reason-&lt;n&gt;" for a spare slot.</summary>
    public static string NameOf(int index) =>
        index >= 0 && index < All.Count ? All[index].Name : "reason-" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
