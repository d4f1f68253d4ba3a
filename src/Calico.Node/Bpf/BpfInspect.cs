using System.Buffers.Binary;
using Calico.Felix.Bpf;
using Calico.Felix.Bpf.Tools;
using Calico.Felix.Dataplane.Bpf;
using Calico.Linux.Bpf;

namespace Calico.Node.Bpf;

/// <summary>The I/O half of calico-node -bpf: opens the pinned maps read only, decodes, hands the data to the formatters in Calico.Felix.Bpf.Tools.</summary>
internal static class BpfInspect
{
    public static int ConntrackDump(string root, BpfCliOptions options, TextWriter stdout)
    {
        byte family = Family(options);
        bool raw = options.Has("--raw");
        using BpfMap ct = OpenMap(root, BpfMapLayout.ConntrackMap, BpfMapLayout.ConntrackKeySize, BpfMapLayout.ConntrackValueSize);
        ulong now = BpfConntrackScanner.MonotonicNowNs();
        var names = new Dictionary<uint, string?>();
        string? Name(uint ifindex)
        {
            if (!names.TryGetValue(ifindex, out string? name))
            {
                name = BpfTc.InterfaceName((int)ifindex);
                names[ifindex] = name;
            }

            return name;
        }

        // NAT outgoing in BPF's bindings (cali_nat): the source a NATed flow leaves with. A pin missing (an older
        // calico-node) shows none.
        string natPath = BpfMapLayout.PinPath(root, BpfMapLayout.NatMap);
        using BpfMap? nat = File.Exists(natPath) ? OpenMap(root, BpfMapLayout.NatMap, BpfMapLayout.NatKeySize, BpfMapLayout.NatValueSize) : null;
        (System.Net.IPAddress, ushort)? Snat(ConntrackTuple key, ConntrackEntry entry) =>
            nat is not null && BpfMapLayout.NatForwardKey(key, entry) is { } natKey && nat.Lookup(natKey) is { } value
                ? BpfMapLayout.ReadNatValue(value, key.Family)
                : null;

        // The host's own connections given a port of their own (no cali_ct entry: the kernel tracks them).
        List<HostPortBinding> hostPorts = nat is null ? [] : HostPortBindings(nat, family);
        if (Json(options))
        {
            Felix.Bpf.Tools.ConntrackDump.WriteJson(stdout, ConntrackEntries(ct, family), now, raw, Name, Snat, hostPorts);
            return 0;
        }

        foreach (var (key, entry) in ConntrackEntries(ct, family))
        {
            stdout.WriteLine(raw ? Felix.Bpf.Tools.ConntrackDump.Raw(key, entry) : Felix.Bpf.Tools.ConntrackDump.Pretty(key, entry, now, Name, Snat(key, entry)));
        }

        foreach (HostPortBinding binding in hostPorts)
        {
            stdout.WriteLine(Felix.Bpf.Tools.ConntrackDump.PrettyHostPort(binding, now));
        }

        return 0;
    }

    /// <summary>The host-psnat bindings of cali_nat of the family (0: both).</summary>
    private static List<HostPortBinding> HostPortBindings(BpfMap nat, byte family)
    {
        var found = new List<HostPortBinding>();
        nat.ForEachBatch(BpfConntrackScanner.BatchEntries, (keys, values, count) =>
        {
            for (int i = 0; i < count; i++)
            {
                ReadOnlySpan<byte> key = keys.Slice(i * BpfMapLayout.NatKeySize, BpfMapLayout.NatKeySize);
                if ((family == 0 || key[37] == family)
                    && BpfMapLayout.ReadHostPortBinding(key, values.Slice(i * BpfMapLayout.NatValueSize, BpfMapLayout.NatValueSize)) is { } binding)
                {
                    found.Add(binding);
                }
            }
        });
        return found;
    }

    public static int ConntrackStats(string root, BpfCliOptions options, TextWriter stdout)
    {
        byte family = Family(options);
        using BpfMap ct = OpenMap(root, BpfMapLayout.ConntrackMap, BpfMapLayout.ConntrackKeySize, BpfMapLayout.ConntrackValueSize);
        if (Json(options))
        {
            Felix.Bpf.Tools.ConntrackDump.WriteStatsJson(stdout, ct.ReadInfo().MaxEntries, ConntrackEntries(ct, family), BpfConntrackScanner.MonotonicNowNs());
        }
        else
        {
            Felix.Bpf.Tools.ConntrackDump.WriteStats(stdout, ct.ReadInfo().MaxEntries, ConntrackEntries(ct, family), BpfConntrackScanner.MonotonicNowNs());
        }

        return 0;
    }

    public static int PolicyDump(string root, BpfCliOptions options, TextWriter stdout)
    {
        string interfaceName = options.Positional[0];
        bool[] hooks = options.Positional[1] switch
        {
            "ingress" => [true],
            "egress" => [false],
            "all" => [true, false],
            "xdp" => throw new BpfUsageException("policy dump: hook 'xdp': this dataplane has no XDP program (ingress, egress or all)"),
            var other => throw new BpfUsageException($"policy dump: hook '{other}' is not ingress, egress or all"),
        };

        var (ifindex, endpoint) = Endpoint(root, interfaceName);
        using BpfMap rules = OpenMap(root, BpfMapLayout.RuleMap, BpfMapLayout.RuleKeySize, BpfMapLayout.RuleValueSize);
        using BpfMap counters = OpenMap(root, BpfMapLayout.CounterMap, BpfMapLayout.RuleKeySize, BpfMapLayout.CounterValueSize);
        var dumped = new List<PolicyDumpHook>(hooks.Length);
        foreach (bool tcIngress in hooks)
        {
            uint table = endpoint.TableOfTcHook(tcIngress);
            dumped.Add(new PolicyDumpHook(tcIngress, table, table == 0 ? [] : ReadTable(rules, counters, table)));
        }

        var referenced = new HashSet<uint>(dumped.SelectMany(static h => h.Rules).SelectMany(static r => r.Rule.SrcSets.Concat(r.Rule.NotSrcSets).Concat(r.Rule.DstSets).Concat(r.Rule.NotDstSets)));
        var runs = new HashSet<uint>(dumped.SelectMany(static h => h.Rules).Select(static r => r.Rule.Run).Where(static run => run != 0));
        Felix.Bpf.Tools.PolicyDump.Write(stdout, interfaceName, ifindex, endpoint, dumped, referenced.Count == 0 ? null : SetMembers(root, referenced), runs.Count == 0 ? null : RunPrefixCounts(root, runs));
        return 0;
    }

    public static int CountersDump(string root, BpfCliOptions options, TextWriter stdout)
    {
        string? interfaceName = options.Value("--iface");
        Dictionary<uint, string> users = interfaceName is null
            ? Felix.Bpf.Tools.CountersDump.TableUsers(AllEndpoints(root))
            : Felix.Bpf.Tools.CountersDump.TableUsers([(interfaceName, Endpoint(root, interfaceName).Endpoint)]);
        using BpfMap reasonMap = OpenMap(root, BpfMapLayout.ReasonMap, 4, BpfMapLayout.CounterValueSize);
        var reasons = new List<(ulong, ulong)>();
        uint slots = reasonMap.ReadInfo().MaxEntries;
        var index = new byte[4];
        for (uint i = 0; i < slots; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(index, i);
            reasons.Add(BpfMapLayout.ReadCounter(reasonMap.Lookup(index)));
        }

        using BpfMap counterMap = OpenMap(root, BpfMapLayout.CounterMap, BpfMapLayout.RuleKeySize, BpfMapLayout.CounterValueSize);
        var rules = new List<RuleCounter>();
        foreach (byte[] key in counterMap.Keys())
        {
            var (table, rule) = BpfMapLayout.ReadRuleKey(key);
            string? usedBy = users.GetValueOrDefault(table);
            if (interfaceName is not null && usedBy is null)
            {
                continue;
            }

            if (counterMap.Lookup(key) is { } value)
            {
                var (packets, bytes) = BpfMapLayout.ReadCounter(value);
                rules.Add(new RuleCounter(table, rule, packets, bytes, usedBy ?? Felix.Bpf.Tools.CountersDump.UnusedTable));
            }
        }

        if (Json(options))
        {
            Felix.Bpf.Tools.CountersDump.WriteJson(stdout, reasons, rules, interfaceName);
        }
        else
        {
            Felix.Bpf.Tools.CountersDump.Write(stdout, reasons, rules, interfaceName);
        }

        return 0;
    }

    /// <summary>The pinned map, after checking it is there and has the layout this calico-node reads.</summary>
    private static BpfMap OpenMap(string root, string name, int keySize, int valueSize)
    {
        string path = BpfMapLayout.PinPath(root, name);
        if (!File.Exists(path))
        {
            throw new BpfToolException($"no pinned map at {path}: the eBPF dataplane is not running on this host (FelixConfiguration bpfEnabled false?), or {BpfFilesystem.RootVariable} names another bpffs root");
        }

        // Read-only: the tools inspect what the dataplane enforces and must never change it.
        var map = BpfMap.OpenPinned(path, readOnly: true);
        if (map.KeySize != keySize || map.ValueSize != valueSize)
        {
            string found = $"{map.KeySize}-byte keys and {map.ValueSize}-byte values";
            map.Dispose();
            throw new BpfToolException($"map {path} has {found}, where this calico-node reads {keySize} and {valueSize}: maps of another version?");
        }

        return map;
    }

    private static (uint Ifindex, BpfEndpointValue Endpoint) Endpoint(string root, string interfaceName)
    {
        using BpfMap endpoints = OpenMap(root, BpfMapLayout.EndpointMap, BpfMapLayout.EndpointKeySize, BpfMapLayout.EndpointValueSize);
        uint ifindex = (uint)BpfTc.InterfaceIndex(interfaceName);
        return endpoints.Lookup(BpfMapLayout.EndpointKey(ifindex)) is { } value
            ? (ifindex, BpfMapLayout.ReadEndpointValue(value))
            : throw new BpfToolException($"interface {interfaceName} (ifindex {ifindex}) has no {BpfMapLayout.EndpointMap} entry: the eBPF dataplane does not police it (not a Calico endpoint, or not programmed yet)");
    }

    // One pass over cali_runs' keys, counting the entries of the runs the dumped rules name.
    private static Dictionary<uint, int> RunPrefixCounts(string root, HashSet<uint> runs)
    {
        using BpfMap runMap = OpenMap(root, BpfMapLayout.RunMap, BpfMapLayout.RunKeySize, BpfMapLayout.RunValueSize);
        var counts = runs.ToDictionary(static r => r, static _ => 0);
        foreach (byte[] key in runMap.Keys())
        {
            uint run = BpfMapLayout.ReadRunKey(key).Run;
            if (counts.TryGetValue(run, out int count))
            {
                counts[run] = count + 1;
            }
        }

        return counts;
    }

    // Every endpoint with its interface's name here (its ifindex when the interface is gone).
    private static List<(string, BpfEndpointValue)> AllEndpoints(string root)
    {
        using BpfMap endpoints = OpenMap(root, BpfMapLayout.EndpointMap, BpfMapLayout.EndpointKeySize, BpfMapLayout.EndpointValueSize);
        var all = new List<(string, BpfEndpointValue)>();
        foreach (byte[] key in endpoints.Keys())
        {
            uint ifindex = BpfMapLayout.ReadEndpointKey(key);
            if (endpoints.Lookup(key) is { } value)
            {
                all.Add((BpfTc.InterfaceName((int)ifindex) ?? "ifindex " + ifindex.ToString(System.Globalization.CultureInfo.InvariantCulture), BpfMapLayout.ReadEndpointValue(value)));
            }
        }

        return all;
    }

    // The program's own walk: rule 0, 1, ... until one is missing (the compiler writes a table without holes).
    private static List<PolicyDumpRule> ReadTable(BpfMap rules, BpfMap counters, uint table)
    {
        var read = new List<PolicyDumpRule>();
        for (uint index = 0; index < BpfMapLayout.MaxRulesPerTable; index++)
        {
            byte[] key = BpfMapLayout.RuleKey(table, index);
            if (rules.Lookup(key) is not { } value)
            {
                break;
            }

            var (packets, bytes) = BpfMapLayout.ReadCounter(counters.Lookup(key));
            read.Add(new PolicyDumpRule(index, BpfMapLayout.ReadRuleValue(value), packets, bytes));
        }

        return read;
    }

    // One pass over the trie's keys, collecting the members of the sets the dumped rules name.
    private static Dictionary<uint, IReadOnlyList<string>> SetMembers(string root, HashSet<uint> sets)
    {
        using BpfMap ipsets = OpenMap(root, BpfMapLayout.IpSetMap, BpfMapLayout.IpSetKeySize, BpfMapLayout.IpSetValueSize);
        var members = sets.ToDictionary(static s => s, static _ => new List<IpSetMember>());
        foreach (byte[] key in ipsets.Keys())
        {
            var (set, member) = BpfMapLayout.ReadIpSetKey(key);
            if (members.TryGetValue(set, out var list))
            {
                list.Add(member);
            }
        }

        return members.ToDictionary(static p => p.Key, static p => (IReadOnlyList<string>)[.. p.Value.Order(IpSetMember.Order).Select(static m => m.ToString())]);
    }

    // Read in batches (one syscall per 4,096 entries, as the scanner does); key by key where the kernel has none.
    private static List<(ConntrackTuple, ConntrackEntry)> ConntrackEntries(BpfMap ct, byte family)
    {
        var entries = new List<(ConntrackTuple, ConntrackEntry)>();
        void Add(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
        {
            var tuple = BpfMapLayout.ReadConntrackKey(key);
            if (family == 0 || tuple.Family == family)
            {
                entries.Add((tuple, BpfMapLayout.ReadConntrackValue(value)));
            }
        }

        try
        {
            ct.ForEachBatch(BpfConntrackScanner.BatchEntries, (keys, values, count) =>
            {
                for (int i = 0; i < count; i++)
                {
                    Add(keys.Slice(i * BpfMapLayout.ConntrackKeySize, BpfMapLayout.ConntrackKeySize), values.Slice(i * BpfMapLayout.ConntrackValueSize, BpfMapLayout.ConntrackValueSize));
                }
            });
        }
        catch (BpfException e) when (entries.Count == 0 && e.Errno is 22 or 95)
        {
            foreach (byte[] key in ct.Keys())
            {
                if (ct.Lookup(key) is { } value)
                {
                    Add(key, value);
                }
            }
        }

        return entries;
    }

    private static bool Json(BpfCliOptions options) => options.Has("-j", "--json");

    private static byte Family(BpfCliOptions options) =>
        options.Has("-4", "--ipv4") && options.Has("-6", "--ipv6") ? throw new BpfUsageException("-4 and -6 together: give one, or neither for both families")
        : options.Has("-4", "--ipv4") ? (byte)4
        : options.Has("-6", "--ipv6") ? (byte)6
        : (byte)0;
}
