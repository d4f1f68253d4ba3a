using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;

namespace Calico.Felix.Bpf;

/// <summary>
/// The byte layout of bpf/include/calico_maps.h, written and read here byte-exact (host order is little endian on every
/// platform we build for; fields named *_be are network order). A root test loads the program and checks every map's
/// key and value sizes against the constants below, so a drift between the two files fails.
/// </summary>
public static partial class BpfMapLayout
{
    public const string EndpointMap = "cali_eps";
    public const string RuleMap = "cali_rules";
    public const string IpSetMap = "cali_ipsets";
    public const string HostIpMap = "cali_host_ips";
    public const string ConntrackMap = "cali_ct";
    public const string CounterMap = "cali_counters";
    public const string ReasonMap = "cali_reasons";
    public const string RunMap = "cali_runs";
    public const string RunPortMap = "cali_run_ports";
    public const string WorkloadMacMap = "cali_wl_macs";
    public const string PoolMap = "cali_pools";
    public const string SpoofMap = "cali_spoof";

    /// <summary>Flow logs: the one-entry switch the agent writes (struct cali_fl_config), and the events' count of losses.</summary>
    public const string FlowLogConfigMap = "cali_fl_cfg";

    /// <summary>Flow logs: the ring buffer of verdict events (struct cali_flow_event) that calico-node's collector reads.</summary>
    public const string FlowLogRingMap = "cali_flowlog";

    /// <summary>Flow logs: packets and bytes per direction of the flows counted while flow logs are on (struct cali_fl_counters).</summary>
    public const string FlowCounterMap = "cali_ct_fl";
    public const string WorkloadIpMap = "cali_wl_ips";

    /// <summary>NAT outgoing in BPF: each data interface's NAT address and port range (struct cali_snat_key/value).</summary>
    public const string SnatMap = "cali_snat";

    /// <summary>NAT outgoing in BPF: the natOutgoing pools (keys as <see cref="PoolMap"/>'s; empty while BPF NAT is off).</summary>
    public const string NatPoolMap = "cali_nat_pools";

    /// <summary>NAT outgoing in BPF: the NAT bindings, forward and reverse (struct cali_nat_key/value), written by the program.</summary>
    public const string NatMap = "cali_nat";

    /// <summary>
    /// The verdict cache: a new flow's rule walk kept under its table and the packet's fields (struct
    /// cali_verdict_key/value), written by the program; an entry of another <see cref="GenerationMap"/> generation is a miss.
    /// </summary>
    public const string VerdictMap = "cali_verdicts";

    /// <summary>
    /// The policy generation (struct cali_gen, one entry): calico-node makes it odd before writing to a map the rule walk
    /// reads (<see cref="ChangesVerdicts"/>) and even again after, so every kept verdict is stale at once; 0 (never
    /// written) and odd (a write under way) turn the verdict cache off.
    /// </summary>
    public const string GenerationMap = "cali_gen";

    /// <summary>The rule walk's per-CPU notes for the verdict cache (struct cali_walk_notes: the rules it counted).</summary>
    public const string WalkNotesMap = "cali_walk_notes";

    /// <summary>IP fragments: each fragmented datagram's transport fields from its first fragment, for the later ones (struct cali_frag_key/value), written by the program.</summary>
    public const string FragmentMap = "cali_frags";
    public const int FragmentKeySize = 40;
    public const int FragmentValueSize = 8;

    /// <summary>Whether a write to <paramref name="map"/> can change a rule walk's outcome: the verdict cache must forget.</summary>
    public static bool ChangesVerdicts(string map) => map is EndpointMap or RuleMap or IpSetMap or RunMap or RunPortMap;

    /// <summary>struct cali_gen for <paramref name="generation"/>.</summary>
    public static byte[] Generation(ulong generation)
    {
        var value = new byte[GenerationSize];
        BinaryPrimitives.WriteUInt64LittleEndian(value, generation);
        return value;
    }

    /// <summary>
    /// The generation that marks a write to the walk's maps as under way: the next odd one after <paramref name="current"/>
    /// (the pinned cali_gen value, or null: none yet). While the generation is odd the programs neither use nor keep
    /// verdicts, so an agent killed half-way through its writes leaves the cache off, never serving a verdict of the
    /// policy it was replacing; the next agent's writes end with <see cref="NextGeneration"/>.
    /// </summary>
    public static byte[] WritingGeneration(byte[]? current)
    {
        ulong now = Read(current);
        return Generation((now & 1) == 1 ? now : now + 1);
    }

    /// <summary>
    /// The generation once writes are done: the next even one after <paramref name="current"/> (a restarted calico-node
    /// carries on from the pinned value); never 0, which means no calico-node ever wrote one.
    /// </summary>
    public static byte[] NextGeneration(byte[]? current)
    {
        ulong now = Read(current);
        ulong next = (now | 1) + 1;
        return Generation(next == 0 ? 2 : next);
    }

    private static ulong Read(byte[]? generation) =>
        generation is { Length: GenerationSize } ? BinaryPrimitives.ReadUInt64LittleEndian(generation) : 0;

    public const int VerdictKeySize = 48;
    public const int VerdictValueSize = 40;
    public const int GenerationSize = 8;
    public const int WalkNotesSize = 20;

    /// <summary>CALI_EP_INGRESS_SPORT / CALI_EP_EGRESS_SPORT: the endpoint's table has rules on the source port (the verdict cache keys on it).</summary>
    public const uint EndpointIngressSourcePorts = 0x4;
    public const uint EndpointEgressSourcePorts = 0x8;

    /// <summary>
    /// The maps calico-node fills from the calculation graph (every other map is written by the program). A full
    /// resync writes every desired key of these and then deletes every other key it finds in them, so what a killed
    /// agent left behind is swept. A new agent-written map must be listed here.
    /// </summary>
    public static IReadOnlyList<string> AgentWrittenMaps { get; } = [EndpointMap, RuleMap, IpSetMap, HostIpMap, RunMap, RunPortMap, PoolMap, SpoofMap, WorkloadIpMap, SnatMap, NatPoolMap];

    /// <summary>Every map of calico_tc.o, each pinned as <c>&lt;bpffs root&gt;/&lt;map name&gt;</c> (<see cref="PinPath"/>).</summary>
    public static IReadOnlyList<string> AllMaps { get; } = [EndpointMap, RuleMap, IpSetMap, HostIpMap, RunMap, RunPortMap, ConntrackMap, CounterMap, ReasonMap, WorkloadMacMap, PoolMap, FlowLogConfigMap, FlowLogRingMap, FlowCounterMap, SpoofMap, WorkloadIpMap, SnatMap, NatPoolMap, NatMap, VerdictMap, GenerationMap, WalkNotesMap, FragmentMap];

    /// <summary>
    /// Every map's key and value sizes as this side reads and writes them: calico-node refuses an object whose maps
    /// differ (a calico_tc.o from another build), and a root test holds the C header to it.
    /// </summary>
    public static IReadOnlyList<(string Map, int Key, int Value)> Sizes { get; } =
    [
        (EndpointMap, EndpointKeySize, EndpointValueSize),
        (RuleMap, RuleKeySize, RuleValueSize),
        (IpSetMap, IpSetKeySize, IpSetValueSize),
        (HostIpMap, HostIpKeySize, HostIpValueSize),
        (RunMap, RunKeySize, RunValueSize),
        (RunPortMap, RunPortKeySize, RunPortValueSize),
        (ConntrackMap, ConntrackKeySize, ConntrackValueSize),
        (CounterMap, RuleKeySize, CounterValueSize),
        (ReasonMap, 4, CounterValueSize),
        (WorkloadMacMap, 4, 8),
        (PoolMap, PoolKeySize, IpSetValueSize),
        (FlowLogConfigMap, 4, FlowLogConfigSize),
        (FlowLogRingMap, 0, 0), // a ring buffer: no keys or values, records
        (FlowCounterMap, ConntrackKeySize, FlowCountersSize),
        (SpoofMap, SpoofKeySize, IpSetValueSize),
        (WorkloadIpMap, HostIpKeySize, 4),
        (SnatMap, SnatKeySize, SnatValueSize),
        (NatPoolMap, PoolKeySize, IpSetValueSize),
        (NatMap, NatKeySize, NatValueSize),
        (VerdictMap, VerdictKeySize, VerdictValueSize),
        (GenerationMap, 4, GenerationSize),
        (WalkNotesMap, 4, WalkNotesSize),
        (FragmentMap, FragmentKeySize, FragmentValueSize),
    ];

    /// <summary>Where <paramref name="map"/> is pinned under the bpffs root (calico-node's <c>CALICO_BPF_ROOT</c>, default /sys/fs/bpf/calico).</summary>
    public static string PinPath(string root, string map) => System.IO.Path.Combine(root, map);

    public const int EndpointKeySize = 4;
    public const int EndpointValueSize = 16;
    public const int RuleKeySize = 8;
    public const int RuleValueSize = 120;
    public const int IpSetKeySize = 28;
    public const int IpSetValueSize = 4;
    public const int HostIpKeySize = 20;
    public const int PoolKeySize = 24;
    public const int SpoofKeySize = 28;
    public const int HostIpValueSize = 4;
    public const int ConntrackKeySize = 40;
    public const int ConntrackValueSize = 32;
    public const int SnatKeySize = 8;
    public const int SnatValueSize = 24;
    public const int NatKeySize = 40;
    public const int NatValueSize = 32;

    /// <summary>struct cali_fl_config: enabled (u32), pad, lost events (u64).</summary>
    public const int FlowLogConfigSize = 16;

    /// <summary>struct cali_fl_counters: packets and bytes of the original direction, then of the reply's (u64 each).</summary>
    public const int FlowCountersSize = 32;

    /// <summary>cali_ct_value's flag for a flow counted in cali_ct_fl (CALI_CT_F_FLOW_LOG).</summary>
    public const ushort ConntrackFlowLogFlag = 0x100;

    /// <summary>struct cali_fl_config with flow logs on or off, keeping the loss count <paramref name="lost"/>.</summary>
    public static byte[] FlowLogConfig(bool enabled, ulong lost = 0)
    {
        var value = new byte[FlowLogConfigSize];
        value[0] = enabled ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt64LittleEndian(value.AsSpan(8), lost);
        return value;
    }

    /// <summary>struct cali_fl_config read back: whether flow logs are on, and the events lost to a full ring.</summary>
    public static (bool Enabled, ulong Lost) ReadFlowLogConfig(ReadOnlySpan<byte> value) =>
        value.Length == FlowLogConfigSize
            ? (BinaryPrimitives.ReadUInt32LittleEndian(value) != 0, BinaryPrimitives.ReadUInt64LittleEndian(value[8..]))
            : throw new ArgumentException($"a struct cali_fl_config is {FlowLogConfigSize} bytes, not {value.Length}", nameof(value));

    /// <summary>struct cali_fl_counters read back: (packets, bytes) of the original direction and of the reply.</summary>
    public static (ulong PacketsOriginal, ulong BytesOriginal, ulong PacketsReply, ulong BytesReply) ReadFlowCounters(ReadOnlySpan<byte> value) =>
        value.Length == FlowCountersSize
            ? (BinaryPrimitives.ReadUInt64LittleEndian(value), BinaryPrimitives.ReadUInt64LittleEndian(value[8..]),
                BinaryPrimitives.ReadUInt64LittleEndian(value[16..]), BinaryPrimitives.ReadUInt64LittleEndian(value[24..]))
            : throw new ArgumentException($"a struct cali_fl_counters is {FlowCountersSize} bytes, not {value.Length}", nameof(value));
    public const int CounterValueSize = 16;
    public const int RunKeySize = 28;
    public const int RunValueSize = 4;
    public const int RunPortKeySize = 8;
    public const int RunPortValueSize = 8;

    /// <summary>CALI_RUN_ANY_PROTO: the protocol key of a run's entries from rules without a protocol.</summary>
    public const ushort RunAnyProtocol = 256;

    /// <summary>CALI_RULE_SETS: set ids per side and sense in one rule.</summary>
    public const int RuleSets = 2;

    /// <summary>CALI_RULE_PORTS: port ranges per side and sense in one rule.</summary>
    public const int RulePorts = 4;

    /// <summary>CALI_MAX_RULES: the program's walk bound; the compiler refuses a longer table.</summary>
    public const int MaxRulesPerTable = 1_000_000;

    public const uint EndpointWorkload = 0x1;
    public const uint EndpointHost = 0x2;

    private const ushort FlagProtocol = 0x01;
    private const ushort FlagNotProtocol = 0x02;
    private const ushort FlagIcmpType = 0x04;
    private const ushort FlagIcmpCode = 0x08;
    private const ushort FlagNotIcmpType = 0x10;
    private const ushort FlagNotIcmpCode = 0x20;
    private const ushort FlagRun = 0x40;
    private const ushort FlagRunOnDestination = 0x80;
    private const ushort FlagRunAnyProtocol = 0x100;

    private const int IpSetPrefixBase = 64;

    public static byte[] EndpointKey(uint ifindex)
    {
        var key = new byte[EndpointKeySize];
        BinaryPrimitives.WriteUInt32LittleEndian(key, ifindex);
        return key;
    }

    public static byte[] EndpointValue(uint flags, uint ingressTable, uint egressTable, EndpointToHostAction toHost)
    {
        var value = new byte[EndpointValueSize];
        BinaryPrimitives.WriteUInt32LittleEndian(value, flags);
        BinaryPrimitives.WriteUInt32LittleEndian(value.AsSpan(4), ingressTable);
        BinaryPrimitives.WriteUInt32LittleEndian(value.AsSpan(8), egressTable);
        value[12] = toHost switch
        {
            EndpointToHostAction.Drop => 0,
            EndpointToHostAction.Return => 1,
            EndpointToHostAction.Accept => 2,
            _ => throw new ArgumentOutOfRangeException(nameof(toHost), toHost, "unknown DefaultEndpointToHostAction"),
        };
        return value;
    }

    public static byte[] RuleKey(uint table, uint index)
    {
        var key = new byte[RuleKeySize];
        BinaryPrimitives.WriteUInt32LittleEndian(key, table);
        BinaryPrimitives.WriteUInt32LittleEndian(key.AsSpan(4), index);
        return key;
    }

    /// <summary>struct cali_rule. Throws when the rule has more sets or ports than one entry holds (the compiler splits first).</summary>
    public static byte[] RuleValue(FlatRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var v = new byte[RuleValueSize];
        ushort flags = 0;
        v[0] = (byte)rule.Action;
        v[1] = rule.IpVersion;
        if (rule.Protocol is byte protocol)
        {
            v[2] = protocol;
            flags |= FlagProtocol;
        }

        if (rule.NotProtocol is byte notProtocol)
        {
            v[3] = notProtocol;
            flags |= FlagNotProtocol;
        }

        flags |= Optional(v, 4, rule.IcmpType, FlagIcmpType);
        flags |= Optional(v, 5, rule.IcmpCode, FlagIcmpCode);
        flags |= Optional(v, 6, rule.NotIcmpType, FlagNotIcmpType);
        flags |= Optional(v, 7, rule.NotIcmpCode, FlagNotIcmpCode);
        if (rule.Run != 0)
        {
            flags |= FlagRun;
            flags |= rule.RunOnDestination ? FlagRunOnDestination : (ushort)0;
            flags |= rule.RunAnyProtocol ? FlagRunAnyProtocol : (ushort)0;
            BinaryPrimitives.WriteUInt32LittleEndian(v.AsSpan(20), rule.Run);
        }

        BinaryPrimitives.WriteUInt16LittleEndian(v.AsSpan(8), flags);
        v[10] = PortCount(rule.SrcPorts, "source.ports");
        v[11] = PortCount(rule.NotSrcPorts, "source.notPorts");
        v[12] = PortCount(rule.DstPorts, "destination.ports");
        v[13] = PortCount(rule.NotDstPorts, "destination.notPorts");
        BinaryPrimitives.WriteUInt32LittleEndian(v.AsSpan(16), rule.Jump);
        WriteSets(v.AsSpan(24), rule.SrcSets, "source sets");
        WriteSets(v.AsSpan(32), rule.NotSrcSets, "source not-sets");
        WriteSets(v.AsSpan(40), rule.DstSets, "destination sets");
        WriteSets(v.AsSpan(48), rule.NotDstSets, "destination not-sets");
        WritePorts(v.AsSpan(56), rule.SrcPorts);
        WritePorts(v.AsSpan(72), rule.NotSrcPorts);
        WritePorts(v.AsSpan(88), rule.DstPorts);
        WritePorts(v.AsSpan(104), rule.NotDstPorts);
        return v;
    }

    /// <summary>struct cali_ipset_key for one member (a CIDR of the set's family; the address's host bits must be clear).</summary>
    public static byte[] IpSetKey(uint set, IpSetMember member)
    {
        var key = new byte[IpSetKeySize];
        BinaryPrimitives.WriteUInt32LittleEndian(key, (uint)(IpSetPrefixBase + member.PrefixLength));
        BinaryPrimitives.WriteUInt32LittleEndian(key.AsSpan(4), set);
        BinaryPrimitives.WriteUInt32LittleEndian(key.AsSpan(8), (uint)member.Family);
        member.Address.CopyTo(key.AsSpan(12));
        return key;
    }

    /// <summary>struct cali_run_key: one prefix of a merged run, for one protocol key (0-255, or <see cref="RunAnyProtocol"/>).</summary>
    public static byte[] RunKey(uint run, ushort protocol, IpSetMember prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var key = new byte[RunKeySize];
        BinaryPrimitives.WriteUInt32LittleEndian(key, (uint)(IpSetPrefixBase + prefix.PrefixLength));
        BinaryPrimitives.WriteUInt32LittleEndian(key.AsSpan(4), run);
        BinaryPrimitives.WriteUInt16LittleEndian(key.AsSpan(8), protocol);
        key[10] = (byte)prefix.Family;
        prefix.Address.CopyTo(key.AsSpan(12));
        return key;
    }

    /// <summary>struct cali_run_value: the prefix's port set (0: any port, and no port needed).</summary>
    public static byte[] RunValue(uint portSet)
    {
        var value = new byte[RunValueSize];
        BinaryPrimitives.WriteUInt32LittleEndian(value, portSet);
        return value;
    }

    /// <summary>struct cali_run_port_key: 64 ports of a port set (word w holds ports 64w .. 64w+63, bit = port % 64).</summary>
    public static byte[] RunPortKey(uint portSet, uint word)
    {
        var key = new byte[RunPortKeySize];
        BinaryPrimitives.WriteUInt32LittleEndian(key, portSet);
        BinaryPrimitives.WriteUInt32LittleEndian(key.AsSpan(4), word);
        return key;
    }

    public static byte[] RunPortValue(ulong bits)
    {
        var value = new byte[RunPortValueSize];
        BinaryPrimitives.WriteUInt64LittleEndian(value, bits);
        return value;
    }

    /// <summary>The non-zero 64-port words of a set of ranges (an absent word reads as no port), in word order.</summary>
    public static List<(uint Word, ulong Bits)> PortWords(IReadOnlyList<PortRange> ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        var words = new SortedDictionary<uint, ulong>();
        foreach (PortRange range in ranges)
        {
            for (int port = range.First; port <= range.Last; port++)
            {
                uint word = (uint)port >> 6;
                words[word] = words.GetValueOrDefault(word) | (1UL << (port & 63));
            }
        }

        return [.. words.Select(static w => (w.Key, w.Value))];
    }

    /// <summary>struct cali_host_ip_key: one of the host's own addresses (its value is <see cref="IpSetValue"/>).</summary>
    public static byte[] HostIpKey(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var key = new byte[HostIpKeySize];
        BinaryPrimitives.WriteUInt32LittleEndian(key, address.AddressFamily == AddressFamily.InterNetworkV6 ? 6u : 4u);
        address.GetAddressBytes().CopyTo(key, 4);
        return key;
    }

    /// <summary>struct cali_pool_key: an IP pool's CIDR, or a floating IP's /32 or /128 (host bits clear); its value is <see cref="PoolValue"/>.</summary>
    public static byte[] PoolKey(IPNetwork pool)
    {
        var key = new byte[PoolKeySize];
        bool v6 = pool.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6;
        BinaryPrimitives.WriteUInt32LittleEndian(key, (uint)(32 + pool.PrefixLength));
        BinaryPrimitives.WriteUInt32LittleEndian(key.AsSpan(4), v6 ? 6u : 4u);
        pool.BaseAddress.GetAddressBytes().CopyTo(key, 8);
        return key;
    }

    /// <summary>struct cali_spoof_key: one of a workload's allowSpoofedSourcePrefixes (host bits clear), by its host-side interface.</summary>
    public static byte[] SpoofKey(uint ifindex, IPNetwork prefix)
    {
        var key = new byte[SpoofKeySize];
        bool v6 = prefix.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6;
        BinaryPrimitives.WriteUInt32LittleEndian(key, (uint)(64 + prefix.PrefixLength));
        BinaryPrimitives.WriteUInt32LittleEndian(key.AsSpan(4), ifindex);
        BinaryPrimitives.WriteUInt32LittleEndian(key.AsSpan(8), v6 ? 6u : 4u);
        prefix.BaseAddress.GetAddressBytes().CopyTo(key, 12);
        return key;
    }

    /// <summary>struct cali_snat_key: a data interface's IPv4 NAT address.</summary>
    public static byte[] SnatKey(uint ifindex) => SnatKey(ifindex, v6: false);

    /// <summary>struct cali_snat_key: a data interface's NAT address of one family.</summary>
    public static byte[] SnatKey(uint ifindex, bool v6)
    {
        var key = new byte[SnatKeySize];
        BinaryPrimitives.WriteUInt32LittleEndian(key, ifindex);
        BinaryPrimitives.WriteUInt32LittleEndian(key.AsSpan(4), v6 ? 6u : 4u);
        return key;
    }

    /// <summary>struct cali_snat_value: the address a flow leaving the interface is NATed to, and the ports a colliding flow gets.</summary>
    public static byte[] SnatValue(IPAddress address, int portMin, int portMax)
    {
        ArgumentNullException.ThrowIfNull(address);
        var value = new byte[SnatValueSize];
        address.GetAddressBytes().CopyTo(value, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(value.AsSpan(16), (ushort)portMin);
        BinaryPrimitives.WriteUInt16LittleEndian(value.AsSpan(18), (ushort)portMax);
        return value;
    }

    /// <summary>A cali_pools value: 1 where the fast paths may go, 0 for an address inside a pool they must not (a floating IP).</summary>
    public static byte[] PoolValue(bool fast) => [fast ? (byte)1 : (byte)0, 0, 0, 0];

    /// <summary>A cali_wl_ips value: the host-side ifindex of the local workload the key's address is assigned to (the key is <see cref="HostIpKey"/>'s).</summary>
    public static byte[] WorkloadIpValue(uint ifindex)
    {
        var value = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(value, ifindex);
        return value;
    }

    /// <summary>The value of every IP set entry (present).</summary>
    public static byte[] IpSetValue() => [1, 0, 0, 0];

    /// <summary>struct cali_ct_key of a flow seen from either end (normalised as the program does).</summary>
    public static byte[] ConntrackKey(IPAddress source, ushort sourcePort, IPAddress destination, ushort destinationPort, byte protocol)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        byte[] src = Padded(source);
        byte[] dst = Padded(destination);
        bool sourceIsLow = SourceIsLow(src, sourcePort, dst, destinationPort);
        var key = new byte[ConntrackKeySize];
        (sourceIsLow ? src : dst).CopyTo(key, 0);
        (sourceIsLow ? dst : src).CopyTo(key, 16);
        BinaryPrimitives.WriteUInt16BigEndian(key.AsSpan(32), sourceIsLow ? sourcePort : destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(key.AsSpan(34), sourceIsLow ? destinationPort : sourcePort);
        key[36] = protocol;
        key[37] = (byte)(source.AddressFamily == AddressFamily.InterNetworkV6 ? 6 : 4);
        return key;
    }

    /// <summary>Whether the flow's source is the low end of its normalised conntrack key (its opener is <see cref="ConntrackOpener.Low"/>).</summary>
    public static bool SourceIsLow(IPAddress source, ushort sourcePort, IPAddress destination, ushort destinationPort) =>
        SourceIsLow(Padded(source), sourcePort, Padded(destination), destinationPort);

    private static bool SourceIsLow(byte[] src, ushort sourcePort, byte[] dst, ushort destinationPort)
    {
        int order = src.AsSpan().SequenceCompareTo(dst);
        return order < 0 || (order == 0 && sourcePort <= destinationPort);
    }

    /// <summary>struct cali_ct_value (tools and tests write entries; the program writes its own).</summary>
    public static byte[] ConntrackValue(ConntrackEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var value = new byte[ConntrackValueSize];
        BinaryPrimitives.WriteUInt64LittleEndian(value, entry.CreatedNs);
        BinaryPrimitives.WriteUInt64LittleEndian(value.AsSpan(8), entry.LastSeenNs);
        value[16] = (byte)entry.State;
        value[17] = entry.Opener == ConntrackOpener.Low ? (byte)0 : (byte)1;
        BinaryPrimitives.WriteUInt16LittleEndian(value.AsSpan(18), entry.Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(value.AsSpan(20), entry.EgressApprovedIfindex);
        BinaryPrimitives.WriteUInt32LittleEndian(value.AsSpan(24), entry.IngressApprovedIfindex);
        return value;
    }

    public static ConntrackEntry ReadConntrackValue(ReadOnlySpan<byte> value)
    {
        if (value.Length != ConntrackValueSize)
        {
            throw new ArgumentException($"a conntrack value is {ConntrackValueSize} bytes, not {value.Length}", nameof(value));
        }

        return new ConntrackEntry(
            BinaryPrimitives.ReadUInt64LittleEndian(value),
            BinaryPrimitives.ReadUInt64LittleEndian(value[8..]),
            (ConntrackState)value[16],
            value[17] == 0 ? ConntrackOpener.Low : ConntrackOpener.High,
            BinaryPrimitives.ReadUInt16LittleEndian(value[18..]),
            BinaryPrimitives.ReadUInt32LittleEndian(value[20..]),
            BinaryPrimitives.ReadUInt32LittleEndian(value[24..]));
    }

    /// <summary>struct cali_counter: packets and bytes (an absent entry reads as zero).</summary>
    public static (ulong Packets, ulong Bytes) ReadCounter(ReadOnlySpan<byte> value) =>
        value.IsEmpty ? (0, 0)
        : value.Length == CounterValueSize ? (BinaryPrimitives.ReadUInt64LittleEndian(value), BinaryPrimitives.ReadUInt64LittleEndian(value[8..]))
        : throw new ArgumentException($"a counter is {CounterValueSize} bytes, not {value.Length}", nameof(value));

    private static byte[] Padded(IPAddress address)
    {
        var bytes = new byte[16];
        address.GetAddressBytes().CopyTo(bytes, 0);
        return bytes;
    }

    private static ushort Optional(byte[] value, int offset, byte? field, ushort flag)
    {
        if (field is byte b)
        {
            value[offset] = b;
            return flag;
        }

        return 0;
    }

    private static byte PortCount(System.Collections.Immutable.ImmutableArray<PortRange> ports, string field) =>
        ports.IsDefaultOrEmpty ? (byte)0
        : ports.Length <= RulePorts ? (byte)ports.Length
        : throw new ArgumentException($"{field}: {ports.Length} port ranges where one rule holds {RulePorts}");

    private static void WriteSets(Span<byte> target, System.Collections.Immutable.ImmutableArray<uint> sets, string field)
    {
        if (sets.IsDefaultOrEmpty)
        {
            return;
        }

        if (sets.Length > RuleSets)
        {
            throw new ArgumentException($"{field}: {sets.Length} sets where one rule holds {RuleSets}");
        }

        for (int i = 0; i < sets.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(target[(i * 4)..], sets[i]);
        }
    }

    private static void WritePorts(Span<byte> target, System.Collections.Immutable.ImmutableArray<PortRange> ports)
    {
        if (ports.IsDefaultOrEmpty)
        {
            return;
        }

        for (int i = 0; i < ports.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(target[(i * 4)..], (ushort)ports[i].First);
            BinaryPrimitives.WriteUInt16LittleEndian(target[(i * 4 + 2)..], (ushort)ports[i].Last);
        }
    }
}

public enum ConntrackState : byte
{
    New = 1,
    Established = 2,
    Closing = 3,
}

/// <summary>Which end of the normalised key opened the flow.</summary>
public enum ConntrackOpener
{
    Low,
    High,
}

/// <summary>struct cali_ct_value, read back.</summary>
public sealed record ConntrackEntry(ulong CreatedNs, ulong LastSeenNs, ConntrackState State, ConntrackOpener Opener, ushort Flags, uint EgressApprovedIfindex, uint IngressApprovedIfindex);
