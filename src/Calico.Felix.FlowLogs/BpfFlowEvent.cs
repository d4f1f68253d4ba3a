using System.Buffers.Binary;
using System.Net;

namespace Calico.Felix.FlowLogs;

/// <summary>Which policy of the endpoint decided a BPF verdict (bpf/include/calico_maps.h, CALI_FL_*).</summary>
public enum BpfPolicyDirection : byte
{
    /// <summary>The endpoint's ingress policy (traffic to it): reported by the destination side.</summary>
    Ingress = 1,

    /// <summary>The endpoint's egress policy (traffic from it): reported by the source side.</summary>
    Egress = 2,
}

/// <summary>The programs' verdict (CALI_ACT_ALLOW, CALI_ACT_DENY, or 0: a broken table, which drops).</summary>
public enum BpfVerdict : byte
{
    BrokenTable = 0,
    Allow = 1,
    Deny = 2,
}

/// <summary>
/// One record of the <c>cali_flowlog</c> ring buffer (struct cali_flow_event, 72 bytes): a new flow's verdict at one
/// policy hook of calico_tc.c, written only while flow logs are on. <see cref="Table"/> and <see cref="Rule"/> name
/// the flat rule that decided; <see cref="IpLength"/> is the packet's IP length.
/// </summary>
public sealed record BpfFlowEvent(FlowTuple Tuple, BpfVerdict Verdict, BpfPolicyDirection Direction, uint Ifindex, uint Table, uint Rule, int IpLength, ulong TimeNs)
{
    /// <summary>sizeof(struct cali_flow_event).</summary>
    public const int Size = 72;

    /// <summary>The side that reports it: the source for an egress verdict, the destination for an ingress one.</summary>
    public Goldmane.Api.Reporter Reporter => Direction == BpfPolicyDirection.Egress ? Goldmane.Api.Reporter.Src : Goldmane.Api.Reporter.Dst;

    /// <summary>Decodes one record (host order, as calico_maps.h); a record of another size or with fields out of range is refused naming the field.</summary>
    public static BpfFlowEvent Decode(ReadOnlySpan<byte> record)
    {
        if (record.Length != Size)
        {
            throw new ArgumentException($"a struct cali_flow_event is {Size} bytes, not {record.Length}", nameof(record));
        }

        byte family = record[37];
        int addressLength = family switch
        {
            4 => 4,
            6 => 16,
            _ => throw new ArgumentException($"cali_flow_event.family: {family} is neither 4 nor 6", nameof(record)),
        };
        byte verdict = record[38];
        if (verdict > (byte)BpfVerdict.Deny)
        {
            throw new ArgumentException($"cali_flow_event.verdict: {verdict} is not 0 (broken table), 1 (allow) or 2 (deny)", nameof(record));
        }

        byte direction = record[39];
        if (direction is not ((byte)BpfPolicyDirection.Ingress or (byte)BpfPolicyDirection.Egress))
        {
            throw new ArgumentException($"cali_flow_event.direction: {direction} is not 1 (ingress) or 2 (egress)", nameof(record));
        }

        var tuple = new FlowTuple(
            new IPAddress(record[..addressLength]),
            new IPAddress(record.Slice(16, addressLength)),
            record[36],
            BinaryPrimitives.ReadUInt16LittleEndian(record[32..]),
            BinaryPrimitives.ReadUInt16LittleEndian(record[34..]));
        return new BpfFlowEvent(
            tuple,
            (BpfVerdict)verdict,
            (BpfPolicyDirection)direction,
            BinaryPrimitives.ReadUInt32LittleEndian(record[40..]),
            BinaryPrimitives.ReadUInt32LittleEndian(record[44..]),
            BinaryPrimitives.ReadUInt32LittleEndian(record[48..]),
            (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32LittleEndian(record[52..])),
            BinaryPrimitives.ReadUInt64LittleEndian(record[64..]));
    }
}
