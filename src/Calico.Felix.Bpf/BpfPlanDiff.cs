namespace Calico.Felix.Bpf;

/// <summary>
/// The map writes from one plan to the next, in the order that keeps every endpoint on a whole table: IP set members
/// (new sets whole; a kept named set's member deltas, removals first as nft's deltas), then new port sets (fresh ids),
/// then merged runs' entries (new runs whole, kept runs by delta as a kept named set), then the rules of new tables
/// (fresh ids: the program reads none of them yet), then one endpoint update each (the flip; removed endpoints deleted),
/// then the rules of tables, the entries of runs, the members of sets and the words of port sets no longer used. A write that fails part-way leaves every endpoint on
/// its old table or its new one, never on a half-written one. Pure: the caller resolves ifindexes and performs the writes.
/// </summary>
public static class BpfPlanDiff
{
    /// <summary>The plan's endpoints by ifindex; endpoints whose interface has none yet are left out (they get one later).</summary>
    public static Dictionary<uint, BpfEndpointEntry> Resolve(BpfPolicyPlan plan, Func<string, uint?> ifindexOf)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(ifindexOf);
        var result = new Dictionary<uint, BpfEndpointEntry>();
        foreach (BpfEndpointEntry entry in plan.Endpoints.Values)
        {
            if (ifindexOf(entry.InterfaceName) is uint ifindex && ifindex != 0)
            {
                result[ifindex] = entry;
            }
        }

        return result;
    }

    public static List<BpfMapOp> Between(
        BpfPolicyPlan? previous, IReadOnlyDictionary<uint, BpfEndpointEntry> previousEndpoints,
        BpfPolicyPlan next, IReadOnlyDictionary<uint, BpfEndpointEntry> nextEndpoints) =>
        Between(previous, previousEndpoints, next, nextEndpoints, out _);

    /// <summary>
    /// As above; <paramref name="cleanUpStart"/> is the index of the first write that only removes what nothing reads
    /// any more (old tables, runs, sets, port sets): once the writes before it landed, the new policy is in force.
    /// </summary>
    public static List<BpfMapOp> Between(
        BpfPolicyPlan? previous, IReadOnlyDictionary<uint, BpfEndpointEntry> previousEndpoints,
        BpfPolicyPlan next, IReadOnlyDictionary<uint, BpfEndpointEntry> nextEndpoints, out int cleanUpStart)
    {
        ArgumentNullException.ThrowIfNull(previousEndpoints);
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(nextEndpoints);
        var ops = new List<BpfMapOp>();
        byte[] present = BpfMapLayout.IpSetValue();

        foreach (BpfIpSet set in Sorted(next.IpSets))
        {
            if (previous is not null && previous.IpSets.TryGetValue(set.Id, out BpfIpSet? old))
            {
                if (old.Members == set.Members || old.Members.AsSpan().SequenceEqual(set.Members.AsSpan()))
                {
                    continue; // unchanged (the usual case): no hash sets built for it
                }

                var now = new HashSet<IpSetMember>(set.Members);
                var before = new HashSet<IpSetMember>(old.Members);
                foreach (IpSetMember gone in old.Members)
                {
                    if (!now.Contains(gone))
                    {
                        ops.Add(new BpfMapDelete(BpfMapLayout.IpSetMap, BpfMapLayout.IpSetKey(set.Id, gone)));
                    }
                }

                foreach (IpSetMember added in set.Members)
                {
                    if (!before.Contains(added))
                    {
                        ops.Add(new BpfMapUpdate(BpfMapLayout.IpSetMap, BpfMapLayout.IpSetKey(set.Id, added), present));
                    }
                }

                continue;
            }

            foreach (IpSetMember member in set.Members)
            {
                ops.Add(new BpfMapUpdate(BpfMapLayout.IpSetMap, BpfMapLayout.IpSetKey(set.Id, member), present));
            }
        }

        foreach (BpfPortSet portSet in Sorted(next.PortSets))
        {
            if (previous?.PortSets.ContainsKey(portSet.Id) != true)
            {
                foreach (var (word, bits) in BpfMapLayout.PortWords(portSet.Ranges))
                {
                    ops.Add(new BpfMapUpdate(BpfMapLayout.RunPortMap, BpfMapLayout.RunPortKey(portSet.Id, word), BpfMapLayout.RunPortValue(bits)));
                }
            }
        }

        foreach (BpfRuleRun run in Sorted(next.Runs))
        {
            AddRunWrites(ops, previous?.Runs.GetValueOrDefault(run.Id), run);
        }

        foreach (BpfRuleTable table in Sorted(next.Tables))
        {
            if (previous?.Tables.ContainsKey(table.Id) == true)
            {
                continue; // ids are content: a kept id is a kept table
            }

            for (int i = 0; i < table.Rules.Length; i++)
            {
                ops.Add(new BpfMapUpdate(BpfMapLayout.RuleMap, BpfMapLayout.RuleKey(table.Id, (uint)i), BpfMapLayout.RuleValue(table.Rules[i])));
            }
        }

        foreach (var (ifindex, entry) in nextEndpoints.OrderBy(static e => e.Key))
        {
            if (!previousEndpoints.TryGetValue(ifindex, out BpfEndpointEntry? old) || !SameValue(old, entry))
            {
                ops.Add(new BpfMapUpdate(BpfMapLayout.EndpointMap, BpfMapLayout.EndpointKey(ifindex), BpfMapLayout.EndpointValue(entry.Flags, entry.IngressTable, entry.EgressTable, entry.ToHostAction)));
            }
        }

        foreach (uint ifindex in previousEndpoints.Keys.Order())
        {
            if (!nextEndpoints.ContainsKey(ifindex))
            {
                ops.Add(new BpfMapDelete(BpfMapLayout.EndpointMap, BpfMapLayout.EndpointKey(ifindex)));
            }
        }

        cleanUpStart = ops.Count;
        if (previous is null)
        {
            return ops;
        }

        foreach (BpfRuleTable table in Sorted(previous.Tables))
        {
            if (!next.Tables.ContainsKey(table.Id))
            {
                for (int i = 0; i < table.Rules.Length; i++)
                {
                    ops.Add(new BpfMapDelete(BpfMapLayout.RuleMap, BpfMapLayout.RuleKey(table.Id, (uint)i)));
                }
            }
        }

        foreach (BpfRuleRun run in Sorted(previous.Runs))
        {
            if (!next.Runs.ContainsKey(run.Id))
            {
                foreach (BpfRunEntry entry in run.Entries)
                {
                    ops.Add(new BpfMapDelete(BpfMapLayout.RunMap, BpfMapLayout.RunKey(run.Id, entry.Protocol, entry.Prefix)));
                }
            }
        }

        foreach (BpfIpSet set in Sorted(previous.IpSets))
        {
            if (!next.IpSets.ContainsKey(set.Id))
            {
                foreach (IpSetMember member in set.Members)
                {
                    ops.Add(new BpfMapDelete(BpfMapLayout.IpSetMap, BpfMapLayout.IpSetKey(set.Id, member)));
                }
            }
        }

        foreach (BpfPortSet portSet in Sorted(previous.PortSets))
        {
            if (!next.PortSets.ContainsKey(portSet.Id))
            {
                foreach (var (word, _) in BpfMapLayout.PortWords(portSet.Ranges))
                {
                    ops.Add(new BpfMapDelete(BpfMapLayout.RunPortMap, BpfMapLayout.RunPortKey(portSet.Id, word)));
                }
            }
        }

        return ops;
    }

    /// <summary>A new run whole; a kept run (its sets' members changed) by delta: entries gone first, then new or changed ones.</summary>
    private static void AddRunWrites(List<BpfMapOp> ops, BpfRuleRun? old, BpfRuleRun run)
    {
        if (old is not null && (ReferenceEquals(old, run) || old.Entries.AsSpan().SequenceEqual(run.Entries.AsSpan())))
        {
            return;
        }

        var now = run.Entries.ToDictionary(static e => (e.Protocol, e.Prefix), static e => e.PortSet);
        if (old is not null)
        {
            foreach (BpfRunEntry gone in old.Entries)
            {
                if (!now.ContainsKey((gone.Protocol, gone.Prefix)))
                {
                    ops.Add(new BpfMapDelete(BpfMapLayout.RunMap, BpfMapLayout.RunKey(run.Id, gone.Protocol, gone.Prefix)));
                }
            }
        }

        var before = old?.Entries.ToDictionary(static e => (e.Protocol, e.Prefix), static e => e.PortSet);
        foreach (BpfRunEntry entry in run.Entries)
        {
            if (before is null || !before.TryGetValue((entry.Protocol, entry.Prefix), out uint portSet) || portSet != entry.PortSet)
            {
                ops.Add(new BpfMapUpdate(BpfMapLayout.RunMap, BpfMapLayout.RunKey(run.Id, entry.Protocol, entry.Prefix), BpfMapLayout.RunValue(entry.PortSet)));
            }
        }
    }

    private static bool SameValue(BpfEndpointEntry a, BpfEndpointEntry b) =>
        a.Flags == b.Flags && a.IngressTable == b.IngressTable && a.EgressTable == b.EgressTable && a.ToHostAction == b.ToHostAction;

    private static IEnumerable<T> Sorted<T>(IReadOnlyDictionary<uint, T> byId) => byId.OrderBy(static e => e.Key).Select(static e => e.Value);
}
