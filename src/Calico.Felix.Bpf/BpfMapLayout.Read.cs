using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Net;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;

namespace Calico.Felix.Bpf;

/// <summary>
/// Decoders of the maps' keys and values, the inverse of the encoders (calico-node -bpf's dumps read the pinned maps
/// with them). Each checks the length it is given, so a layout drift fails naming the struct.
/// </summary>
public static partial class BpfMapLayout
{
    /// <summary>The origin every decoded rule carries: cali_rules holds what a rule does, not which policy it came from.</summary>
    public static FlatRuleOrigin ReadOrigin { get; } = new(FlatRuleOriginKind.ReadFromMap, "", -1);

    public static uint ReadEndpointKey(ReadOnlySpan<byte> key) =>
        BinaryPrimitives.ReadUInt32LittleEndian(Sized(key, EndpointKeySize, "cali_ep_key"));

    /// <summary>struct cali_ep_value; an unknown to_host_action byte is an error (the program would treat it as Drop).</summary>
    public static BpfEndpointValue ReadEndpointValue(ReadOnlySpan<byte> value)
    {
        value = Sized(value, EndpointValueSize, "cali_ep_value");
        return new BpfEndpointValue(
            BinaryPrimitives.ReadUInt32LittleEndian(value),
            BinaryPrimitives.ReadUInt32LittleEndian(value[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(value[8..]),
            value[12] switch
            {
                0 => EndpointToHostAction.Drop,
                1 => EndpointToHostAction.Return,
                2 => EndpointToHostAction.Accept,
                var other => throw new ArgumentException($"cali_ep_value.to_host_action {other} is not a CALI_TO_HOST_* value", nameof(value)),
            });
    }

    public static (uint Table, uint Index) ReadRuleKey(ReadOnlySpan<byte> key)
    {
        key = Sized(key, RuleKeySize, "cali_rule_key");
        return (BinaryPrimitives.ReadUInt32LittleEndian(key), BinaryPrimitives.ReadUInt32LittleEndian(key[4..]));
    }

    /// <summary>struct cali_rule back to a <see cref="FlatRule"/> (origin <see cref="ReadOrigin"/>); counts past the arrays are errors.</summary>
    public static FlatRule ReadRuleValue(ReadOnlySpan<byte> value)
    {
        value = Sized(value, RuleValueSize, "cali_rule");
        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(value[8..]);
        return new FlatRule
        {
            Action = (FlatAction)value[0],
            IpVersion = value[1],
            Protocol = (flags & FlagProtocol) != 0 ? value[2] : null,
            NotProtocol = (flags & FlagNotProtocol) != 0 ? value[3] : null,
            IcmpType = (flags & FlagIcmpType) != 0 ? value[4] : null,
            IcmpCode = (flags & FlagIcmpCode) != 0 ? value[5] : null,
            NotIcmpType = (flags & FlagNotIcmpType) != 0 ? value[6] : null,
            NotIcmpCode = (flags & FlagNotIcmpCode) != 0 ? value[7] : null,
            Jump = BinaryPrimitives.ReadUInt32LittleEndian(value[16..]),
            Run = (flags & FlagRun) != 0 ? BinaryPrimitives.ReadUInt32LittleEndian(value[20..]) : 0,
            RunOnDestination = (flags & FlagRun) != 0 && (flags & FlagRunOnDestination) != 0,
            RunAnyProtocol = (flags & FlagRun) != 0 && (flags & FlagRunAnyProtocol) != 0,
            SrcSets = ReadSets(value[24..]),
            NotSrcSets = ReadSets(value[32..]),
            DstSets = ReadSets(value[40..]),
            NotDstSets = ReadSets(value[48..]),
            SrcPorts = ReadPorts(value[56..], value[10], "n_src_ports"),
            NotSrcPorts = ReadPorts(value[72..], value[11], "n_not_src_ports"),
            DstPorts = ReadPorts(value[88..], value[12], "n_dst_ports"),
            NotDstPorts = ReadPorts(value[104..], value[13], "n_not_dst_ports"),
            Origin = ReadOrigin,
        };
    }

    /// <summary>struct cali_ipset_key back to its set id and member.</summary>
    public static (uint Set, IpSetMember Member) ReadIpSetKey(ReadOnlySpan<byte> key)
    {
        key = Sized(key, IpSetKeySize, "cali_ipset_key");
        int prefix = (int)BinaryPrimitives.ReadUInt32LittleEndian(key) - IpSetPrefixBase;
        int family = (int)BinaryPrimitives.ReadUInt32LittleEndian(key[8..]);
        return (BinaryPrimitives.ReadUInt32LittleEndian(key[4..]), new IpSetMember(family, key[12..28].ToArray(), prefix));
    }

    /// <summary>struct cali_run_key back to its run id, protocol key (0-255, or <see cref="RunAnyProtocol"/>) and prefix.</summary>
    public static (uint Run, ushort Protocol, IpSetMember Prefix) ReadRunKey(ReadOnlySpan<byte> key)
    {
        key = Sized(key, RunKeySize, "cali_run_key");
        int prefix = (int)BinaryPrimitives.ReadUInt32LittleEndian(key) - IpSetPrefixBase;
        return (BinaryPrimitives.ReadUInt32LittleEndian(key[4..]), BinaryPrimitives.ReadUInt16LittleEndian(key[8..]), new IpSetMember(key[10], key[12..28].ToArray(), prefix));
    }

    /// <summary>struct cali_ct_key back to its two ends (as stored: the lower end first).</summary>
    public static ConntrackTuple ReadConntrackKey(ReadOnlySpan<byte> key)
    {
        key = Sized(key, ConntrackKeySize, "cali_ct_key");
        byte family = key[37];
        int length = family == 6 ? 16 : 4;
        return new ConntrackTuple(
            new IPAddress(key[..length]),
            BinaryPrimitives.ReadUInt16BigEndian(key[32..]),
            new IPAddress(key.Slice(16, length)),
            BinaryPrimitives.ReadUInt16BigEndian(key[34..]),
            key[36],
            family);
    }

    /// <summary>
    /// CALI_CT_F_BPF_NAT_SEEN: calico_to_data source-NATed the flow (its binding is in cali_nat under
    /// <see cref="NatForwardKey"/>).
    /// </summary>
    public const ushort ConntrackBpfNatSeen = 0x8;

    /// <summary>
    /// struct cali_nat_key of a NATed flow's forward binding: the pod's end (the opener) and the remote end, as
    /// calico_to_data keys it (ports in network order).
    /// </summary>
    public static byte[] NatForwardKey(IPAddress pod, ushort podPort, IPAddress remote, ushort remotePort, byte protocol, byte family)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(remote);
        var key = new byte[NatKeySize];
        pod.GetAddressBytes().CopyTo(key, 0);
        remote.GetAddressBytes().CopyTo(key, 16);
        BinaryPrimitives.WriteUInt16BigEndian(key.AsSpan(32), podPort);
        BinaryPrimitives.WriteUInt16BigEndian(key.AsSpan(34), remotePort);
        key[36] = protocol;
        key[37] = family;
        return key; // reverse (38) 0: the forward binding
    }

    /// <summary>
    /// The forward NAT binding's key of a conntrack entry NAT outgoing in BPF rewrote (<see cref="ConntrackBpfNatSeen"/>):
    /// the opener (the pod) first; null for an entry without the flag.
    /// </summary>
    public static byte[]? NatForwardKey(ConntrackTuple key, ConntrackEntry entry)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(entry);
        if ((entry.Flags & ConntrackBpfNatSeen) == 0)
        {
            return null;
        }

        bool lowOpened = entry.Opener == ConntrackOpener.Low;
        return lowOpened
            ? NatForwardKey(key.Low, key.LowPort, key.High, key.HighPort, key.Protocol, key.Family)
            : NatForwardKey(key.High, key.HighPort, key.Low, key.LowPort, key.Protocol, key.Family);
    }

    /// <summary>struct cali_nat_value: the address and port the binding gives (forward: the NAT address and port).</summary>
    public static (IPAddress Address, ushort Port) ReadNatValue(ReadOnlySpan<byte> value, byte family)
    {
        value = Sized(value, NatValueSize, "cali_nat_value");
        return (new IPAddress(value[..(family == 6 ? 16 : 4)]), BinaryPrimitives.ReadUInt16BigEndian(value[16..]));
    }

    /// <summary>
    /// A host connection calico_to_data gave a port of its own (host_flow_egress: its port was a workload's NAT
    /// binding's towards the same remote): from a forward cali_nat entry whose source is the NAT address itself, the
    /// connection's ends as the host opened it and the port it leaves with; null for any other entry (a workload's
    /// binding, a reverse entry).
    /// </summary>
    public static HostPortBinding? ReadHostPortBinding(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        key = Sized(key, NatKeySize, "cali_nat_key");
        value = Sized(value, NatValueSize, "cali_nat_value");
        byte family = key[37];
        if (key[38] != 0 || (family != 4 && family != 6))
        {
            return null;
        }

        int length = family == 6 ? 16 : 4;
        if (!key[..length].SequenceEqual(value[..length]))
        {
            return null;
        }

        return new HostPortBinding(
            key[36],
            new IPAddress(key[..length]),
            BinaryPrimitives.ReadUInt16BigEndian(key[32..]),
            new IPAddress(key.Slice(16, length)),
            BinaryPrimitives.ReadUInt16BigEndian(key[34..]),
            BinaryPrimitives.ReadUInt16BigEndian(value[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(value[24..]));
    }

    private static ReadOnlySpan<byte> Sized(ReadOnlySpan<byte> bytes, int size, string structName) =>
        bytes.Length == size ? bytes : throw new ArgumentException($"a struct {structName} is {size} bytes, not {bytes.Length}", nameof(bytes));

    private static ImmutableArray<uint> ReadSets(ReadOnlySpan<byte> slots)
    {
        // 0 is an unused slot (set ids start at 1); the encoder fills slots from the first.
        var builder = ImmutableArray.CreateBuilder<uint>(RuleSets);
        for (int i = 0; i < RuleSets; i++)
        {
            uint set = BinaryPrimitives.ReadUInt32LittleEndian(slots[(i * 4)..]);
            if (set != 0)
            {
                builder.Add(set);
            }
        }

        return builder.ToImmutable();
    }

    private static ImmutableArray<PortRange> ReadPorts(ReadOnlySpan<byte> slots, byte count, string field)
    {
        if (count > RulePorts)
        {
            throw new ArgumentException($"cali_rule.{field} {count} is more than the {RulePorts} slots", nameof(count));
        }

        var builder = ImmutableArray.CreateBuilder<PortRange>(count);
        for (int i = 0; i < count; i++)
        {
            builder.Add(new PortRange(BinaryPrimitives.ReadUInt16LittleEndian(slots[(i * 4)..]), BinaryPrimitives.ReadUInt16LittleEndian(slots[(i * 4 + 2)..])));
        }

        return builder.ToImmutable();
    }
}
