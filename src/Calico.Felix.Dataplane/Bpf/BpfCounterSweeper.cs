using Calico.Felix.Bpf;
using Calico.Linux.Bpf;

namespace Calico.Felix.Dataplane.Bpf;

/// <summary>
/// Deletes cali_counters entries whose rule is no longer in cali_rules. The program creates a rule's counter the first
/// time the rule decides a flow, and nothing removes it when the applier deletes a replaced table: table ids are never
/// reused, so such counters are dead and would fill the map (1,048,576 entries) over a long life. Not wired to a timer
/// here: the caller runs it, e.g. after the conntrack scan.
/// </summary>
public static class BpfCounterSweeper
{
    /// <summary>
    /// One pass over <paramref name="counters"/> (cali_counters) in batches, looking each key up in
    /// <paramref name="rules"/> (cali_rules, same key). A rule deleted between the program's read and its counter
    /// update leaves a counter behind again; the next sweep takes it.
    /// </summary>
    public static BpfScanResult Sweep(BpfMap counters, BpfMap rules)
    {
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentNullException.ThrowIfNull(rules);
        if (counters.KeySize != BpfMapLayout.RuleKeySize || rules.KeySize != BpfMapLayout.RuleKeySize || rules.ValueSize != BpfMapLayout.RuleValueSize)
        {
            throw new ArgumentException($"BPF maps {counters.Name} and {rules.Name} do not have cali_counters' and cali_rules' layout");
        }

        int scanned = 0, deleted = 0;
        var dead = new byte[BpfConntrackScanner.BatchEntries * BpfMapLayout.RuleKeySize];
        var rule = new byte[BpfMapLayout.RuleValueSize];
        counters.ForEachBatch(BpfConntrackScanner.BatchEntries, (keys, _, count) =>
        {
            if (dead.Length < keys.Length)
            {
                dead = new byte[keys.Length];
            }

            int found = 0;
            for (int i = 0; i < count; i++)
            {
                ReadOnlySpan<byte> key = keys.Slice(i * BpfMapLayout.RuleKeySize, BpfMapLayout.RuleKeySize);
                if (!rules.TryLookup(key, rule))
                {
                    key.CopyTo(dead.AsSpan(found++ * BpfMapLayout.RuleKeySize));
                }
            }

            scanned += count;
            deleted += found == 0 ? 0 : counters.DeleteBatch(dead, found);
        });
        return new BpfScanResult(scanned, deleted);
    }
}
