using System.Buffers.Binary;
using Calico.Felix.Bpf;
using Calico.Linux.Bpf;

namespace Calico.Felix.Dataplane.Bpf;

/// <summary>
/// Deletes NAT bindings (<c>cali_nat</c>, NAT outgoing in BPF) idle past their timeout, as the conntrack scanner does
/// for <c>cali_ct</c>: the program takes an idle reverse entry over when a new flow wants its port and the LRU reclaims
/// under pressure, but a binding no packet meets again would otherwise stay. The timeouts are the program's
/// (<c>snat_idle</c> in calico_tc.c): TCP 1 h, UDP 60 s, ICMP 5 s, idle strictly longer.
/// </summary>
public static class BpfNatScanner
{
    private const int ProtocolOffset = 36; // struct cali_nat_key
    private const int LastSeenOffset = 24; // struct cali_nat_value

    private const ulong SecondNs = 1_000_000_000;

    /// <summary>Whether a binding of <paramref name="protocol"/> last seen at <paramref name="lastSeenNs"/> is idle past its timeout at <paramref name="nowNs"/>.</summary>
    public static bool IsIdle(byte protocol, ulong lastSeenNs, ulong nowNs)
    {
        if (lastSeenNs >= nowNs)
        {
            return false; // refreshed after the scan read its clock: live
        }

        ulong timeout = protocol switch
        {
            6 => 3600 * SecondNs,
            17 => 60 * SecondNs,
            _ => 5 * SecondNs,
        };
        return nowNs - lastSeenNs > timeout;
    }

    /// <summary>Walks <paramref name="nat"/> in batches and deletes each idle binding; what it scanned and deleted.</summary>
    public static BpfScanResult Scan(BpfMap nat, ulong nowNs)
    {
        ArgumentNullException.ThrowIfNull(nat);
        if (nat.KeySize != BpfMapLayout.NatKeySize || nat.ValueSize != BpfMapLayout.NatValueSize)
        {
            throw new ArgumentException($"{BpfMapLayout.NatMap} has key/value sizes {nat.KeySize}/{nat.ValueSize}, expected {BpfMapLayout.NatKeySize}/{BpfMapLayout.NatValueSize}", nameof(nat));
        }

        int scanned = 0, deleted = 0;
        var idle = new byte[BpfConntrackScanner.BatchEntries * BpfMapLayout.NatKeySize];
        nat.ForEachBatch(BpfConntrackScanner.BatchEntries, (keys, values, count) =>
        {
            if (idle.Length < keys.Length)
            {
                idle = new byte[keys.Length];
            }

            int found = 0;
            for (int i = 0; i < count; i++)
            {
                ReadOnlySpan<byte> key = keys.Slice(i * BpfMapLayout.NatKeySize, BpfMapLayout.NatKeySize);
                ReadOnlySpan<byte> value = values.Slice(i * BpfMapLayout.NatValueSize, BpfMapLayout.NatValueSize);
                if (IsIdle(key[ProtocolOffset], BinaryPrimitives.ReadUInt64LittleEndian(value[LastSeenOffset..]), nowNs))
                {
                    key.CopyTo(idle.AsSpan(found++ * BpfMapLayout.NatKeySize));
                }
            }

            scanned += count;
            deleted += found == 0 ? 0 : nat.DeleteBatch(idle, found);
        });
        return new BpfScanResult(scanned, deleted);
    }
}
