using System.Numerics;
using Calico.Api;

namespace Calico.Felix.Rules;

/// <summary>The Felix parameters the nftables renderer depends on.</summary>
public sealed record RenderConfig
{
    /// <summary>Felix <c>InterfacePrefix</c>: workload interfaces are <c>&lt;prefix&gt;*</c>.</summary>
    public string InterfacePrefix { get; init; } = "cali";

    public EndpointToHostAction DefaultEndpointToHostAction { get; init; } = EndpointToHostAction.Drop;

    /// <summary>Felix <c>IptablesMarkMask</c>: the mark bits Calico may use.</summary>
    public uint MarkMask { get; init; } = 0xffff0000;

    public uint AcceptMark { get; init; } = 0x10000;

    public uint PassMark { get; init; } = 0x20000;

    /// <summary>
    /// BPF mode: the mark the table gives packets of a connection the kernel DNATs (a host port, a floating IP) on
    /// their way to a workload, and the programs give that connection's replies from it (so the table keeps them
    /// tracked, for the reverse NAT). bpf/include/calico_maps.h's CALI_MARK_KERNEL_NAT holds the same bit.
    /// </summary>
    public uint KernelNatMark { get; init; } = 0x40000;

    /// <summary>
    /// BPF mode, NAT outgoing in BPF: the mark calico_from_wl gives every packet of a flow the programs source-NAT
    /// (the table's NAT chain leaves it to them unless the kernel DNATed it), and <see cref="BpfNatNoTrackMark"/> once
    /// the programs have NATed it (raw-PREROUTING leaves it untracked). bpf/include/calico_maps.h's CALI_MARK_BPF_NAT
    /// and calico_tc.c's CALI_MARK_BPF_NAT_NOTRACK hold the same bits.
    /// </summary>
    public uint BpfNatMark { get; init; } = 0x80000;

    /// <summary>See <see cref="BpfNatMark"/>.</summary>
    public uint BpfNatNoTrackMark { get; init; } = 0x100000;

    /// <summary>Felix <c>LogPrefix</c> for Log rules.</summary>
    public string LogPrefix { get; init; } = "calico-packet";

    /// <summary>
    /// Compile each maximal run of consecutive simple Allow (or Deny) rules of a tier into one set lookup per family
    /// and shape, so a new flow's cost does not grow with the number of policies (see DESIGN.md). Per-policy chains
    /// remain only for policies with other rules.
    /// </summary>
    public bool MergeRuleRuns { get; init; } = true;

    /// <summary>
    /// Felix <c>WorkloadSourceSpoofing</c> = <c>Any</c>: a workload's <c>allowSpoofedSourcePrefixes</c> pass the
    /// reverse-path check. Off (upstream's default <c>Disabled</c>): the prefixes are ignored.
    /// </summary>
    public bool AllowWorkloadSourceSpoofing { get; init; }

    /// <summary>
    /// Felix <c>BPFEnabled</c>: workload policy (and its conntrack, anti-spoofing and DefaultEndpointToHostAction) is
    /// enforced by the eBPF programs on each workload interface, so the table renders no per-endpoint chains: what
    /// reaches the workload dispatch has passed the programs and is marked accepted. NAT, host endpoints, floating IPs
    /// and the raw table's source check stay in the table (the packet still walks the host's stack).
    /// </summary>
    public bool WorkloadPolicyInBpf { get; init; }

    /// <summary>
    /// Felix <c>BPFDataIfacePattern</c> (upstream's default): in BPF mode, the host interfaces whose tc ingress gets the
    /// fast path in (<c>calico_from_data</c>), beside the VXLAN devices. A string, not a Regex, so that two
    /// configurations with one pattern are equal.
    /// </summary>
    public string BpfDataInterfacePattern { get; init; } = DefaultBpfDataInterfacePattern;

    /// <summary>Upstream's default <c>BPFDataIfacePattern</c>.</summary>
    public const string DefaultBpfDataInterfacePattern = "^((en|wl|ww|sl|ib)[Popsx].*|(eth|wlan|wwan|bond).*)";

    /// <summary>Felix's NAT outgoing options (natOutgoingAddress, natPortRange, natOutgoingExclusions, interface filter).</summary>
    public NatOutgoingConfig NatOutgoing { get; init; } = NatOutgoingConfig.Default;

    /// <summary>
    /// Felix <c>FloatingIPs</c> = <c>Enabled</c>: workload endpoints' <c>ipNATs</c> are programmed (DNAT to the
    /// workload, the external address routed to it). Off (upstream's default <c>Disabled</c>): they are ignored.
    /// </summary>
    public bool FloatingIps { get; init; }

    /// <summary>
    /// Flow logs: every policy and profile verdict rule (Allow, Deny, Pass), every end-of-tier drop or pass and the
    /// no-profile-matched drop logs to NFLOG group 1 (ingress) or 2 (egress) with a prefix naming the verdict
    /// (<see cref="FlowLogs.FlowLogPrefix"/>, decoded by <see cref="FlowLogs.FlowLogRuleTable"/>). Only packets that
    /// reach policy log: established and related packets are accepted before it. Rule-run merging is off meanwhile
    /// (each rule needs its own prefix).
    /// </summary>
    public bool FlowLogs { get; init; }

    /// <summary>
    /// Felix <c>IpInIpEnabled</c> (FelixConfiguration <c>ipipEnabled</c>): null = on when a pool has ipipMode (upstream's
    /// default). On: IP protocol 4 is accepted from Calico hosts only (filter-INPUT) and to them (filter-OUTPUT).
    /// </summary>
    public bool? IpipEnabled { get; init; }

    /// <summary>
    /// Felix <c>VXLANEnabled</c> (FelixConfiguration <c>vxlanEnabled</c>): null = on when a pool has vxlanMode (upstream's
    /// default). On: the tunnel's UDP packets (<see cref="VxlanPort"/>) are not tracked (raw PREROUTING and OUTPUT).
    /// </summary>
    public bool? VxlanEnabled { get; init; }

    /// <summary>Felix <c>VXLANPort</c>: the tunnel's UDP destination port.</summary>
    public int VxlanPort { get; init; } = 4789;

    /// <summary>Felix <c>ExternalNodesCIDRList</c> (<c>externalNodesList</c>): non-Calico nodes IP-in-IP is accepted from too.</summary>
    public IReadOnlyList<string> ExternalNodesCidrs { get; init; } = [];

    /// <summary>Felix <c>FailsafeInboundHostPorts</c>: always open into the host through a host endpoint.</summary>
    public IReadOnlyList<HostPort> FailsafeInboundHostPorts { get; init; } = DefaultFailsafeInbound;

    /// <summary>Felix <c>FailsafeOutboundHostPorts</c>: always open from the host through a host endpoint.</summary>
    public IReadOnlyList<HostPort> FailsafeOutboundHostPorts { get; init; } = DefaultFailsafeOutbound;

    /// <summary>Upstream's default: SSH, DHCP client, BGP, etcd, Typha, the Kubernetes API server and kube-vip/etc.</summary>
    public static IReadOnlyList<HostPort> DefaultFailsafeInbound { get; } =
    [
        new("tcp", 22), new("udp", 68), new("tcp", 179), new("tcp", 2379), new("tcp", 2380),
        new("tcp", 5473), new("tcp", 6443), new("tcp", 6666), new("tcp", 6667),
    ];

    /// <summary>Upstream's default: DNS, DHCP server, BGP, etcd, Typha, the Kubernetes API server and ports 6666/6667.</summary>
    public static IReadOnlyList<HostPort> DefaultFailsafeOutbound { get; } =
    [
        new("udp", 53), new("udp", 67), new("tcp", 179), new("tcp", 2379), new("tcp", 2380),
        new("tcp", 5473), new("tcp", 6443), new("tcp", 6666), new("tcp", 6667),
    ];

    /// <summary>Throws <see cref="ValidationException"/> naming the first bad field.</summary>
    public void Validate()
    {
        if (InterfacePrefix.Length is 0 or > 14 || !NftNames.IsSafeName(InterfacePrefix))
        {
            throw Bad(nameof(InterfacePrefix), InterfacePrefix, "1-14 characters of [A-Za-z0-9._-]");
        }

        CheckMark(nameof(AcceptMark), AcceptMark);
        CheckMark(nameof(PassMark), PassMark);
        CheckMark(nameof(KernelNatMark), KernelNatMark);
        if (WorkloadPolicyInBpf && (KernelNatMark == AcceptMark || KernelNatMark == PassMark))
        {
            throw Bad(nameof(KernelNatMark), NftNames.Hex(KernelNatMark), "must differ from AcceptMark and PassMark in BPF mode");
        }

        CheckMark(nameof(BpfNatMark), BpfNatMark);
        CheckMark(nameof(BpfNatNoTrackMark), BpfNatNoTrackMark);
        if (WorkloadPolicyInBpf && BitOperations.PopCount(AcceptMark | PassMark | KernelNatMark | BpfNatMark | BpfNatNoTrackMark) != 5)
        {
            throw Bad(nameof(BpfNatMark), NftNames.Hex(BpfNatMark) + "/" + NftNames.Hex(BpfNatNoTrackMark), "BpfNatMark and BpfNatNoTrackMark must differ from each other and from AcceptMark, PassMark and KernelNatMark in BPF mode");
        }

        if (AcceptMark == PassMark)
        {
            throw Bad(nameof(PassMark), NftNames.Hex(PassMark), "must differ from AcceptMark");
        }

        NatOutgoing.Validate();
        if (VxlanPort is < 1 or > 65535)
        {
            throw Bad(nameof(VxlanPort), VxlanPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "a UDP port, 1-65535");
        }

        CheckHostPorts(nameof(FailsafeInboundHostPorts), FailsafeInboundHostPorts);
        CheckHostPorts(nameof(FailsafeOutboundHostPorts), FailsafeOutboundHostPorts);
        if (LogPrefix.Length > 127 || LogPrefix.Contains('"', StringComparison.Ordinal) || LogPrefix.Contains('\\', StringComparison.Ordinal) || HasControl(LogPrefix))
        {
            throw Bad(nameof(LogPrefix), LogPrefix, "at most 127 printable characters without quotes or backslashes");
        }
    }

    private void CheckMark(string field, uint mark)
    {
        if (BitOperations.PopCount(mark) != 1 || (mark & MarkMask) != mark)
        {
            throw Bad(field, NftNames.Hex(mark), "must be a single bit within MarkMask " + NftNames.Hex(MarkMask));
        }
    }

    private static void CheckHostPorts(string field, IReadOnlyList<HostPort> ports)
    {
        ArgumentNullException.ThrowIfNull(ports, field);
        for (int i = 0; i < ports.Count; i++)
        {
            HostPort port = ports[i];
            string at = $"{field}[{i}]";
            if (port.Protocol is not ("tcp" or "udp" or "sctp"))
            {
                throw Bad(at + ".protocol", port.Protocol, "must be tcp, udp or sctp");
            }

            if (port.Port is < 1 or > 65535)
            {
                throw Bad(at + ".port", port.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "must be 1-65535");
            }

            if (port.Net is not null && !Cidr.TryNormalize(port.Net, out _))
            {
                throw Bad(at + ".net", port.Net, "not an IP address or CIDR");
            }
        }
    }

    private static bool HasControl(string s)
    {
        foreach (char c in s)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    private static ValidationException Bad(string field, string value, string reason) =>
        new($"error with field {field} = '{value}' ({reason})");
}
