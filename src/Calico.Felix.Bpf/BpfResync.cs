using System.Buffers.Binary;
using System.Net;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Bpf;

/// <summary>
/// A full resync of the agent-written maps against what the kernel holds (pure: the caller reads keys and performs
/// the writes). Used at start (the maps are pinned: a previous agent's tables are still there and still enforced), after
/// a failed write and after drift. The order keeps every endpoint on a whole table: the desired plan is written under
/// ids above every id the kernel holds (<see cref="HighestIds"/>), endpoints flip, and only then does
/// <see cref="Sweep"/> delete what the kernel holds that the plan does not.
/// </summary>
public static class BpfResync
{
    /// <summary>
    /// The highest table id and set-allocator id in use in the kernel's maps (0 when none). IP sets, merged runs and
    /// their port sets share the set allocator: pass <c>cali_runs</c>' and <c>cali_run_ports</c>' keys too, or a new run
    /// may be written under the id of a run an old table still reads (every run a table names has entries, and every
    /// port set an entry names has words, so the keys show them all).
    /// </summary>
    public static (uint Table, uint Set) HighestIds(
        IEnumerable<byte[]> ruleKeys, IEnumerable<byte[]> endpointValues, IEnumerable<byte[]> ipSetKeys,
        IEnumerable<byte[]>? runKeys = null, IEnumerable<byte[]>? runPortKeys = null)
    {
        ArgumentNullException.ThrowIfNull(ruleKeys);
        ArgumentNullException.ThrowIfNull(endpointValues);
        ArgumentNullException.ThrowIfNull(ipSetKeys);
        uint table = 0;
        foreach (byte[] key in ruleKeys)
        {
            table = Math.Max(table, BinaryPrimitives.ReadUInt32LittleEndian(key));
        }

        foreach (byte[] value in endpointValues)
        {
            table = Math.Max(table, BinaryPrimitives.ReadUInt32LittleEndian(value.AsSpan(4)));
            table = Math.Max(table, BinaryPrimitives.ReadUInt32LittleEndian(value.AsSpan(8)));
        }

        uint set = 0;
        foreach (byte[] key in ipSetKeys)
        {
            set = Math.Max(set, BinaryPrimitives.ReadUInt32LittleEndian(key.AsSpan(4)));
        }

        foreach (byte[] key in runKeys ?? [])
        {
            set = Math.Max(set, BinaryPrimitives.ReadUInt32LittleEndian(key.AsSpan(4))); // struct cali_run_key.run
        }

        foreach (byte[] key in runPortKeys ?? [])
        {
            set = Math.Max(set, BinaryPrimitives.ReadUInt32LittleEndian(key)); // struct cali_run_port_key.set
        }

        return (table, set);
    }

    /// <summary>The deletes that leave <paramref name="map"/> holding only the keys <paramref name="desired"/> writes to it.</summary>
    public static List<BpfMapDelete> Sweep(string map, IEnumerable<byte[]> kernelKeys, IEnumerable<BpfMapOp> desired)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(kernelKeys);
        ArgumentNullException.ThrowIfNull(desired);
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (BpfMapOp op in desired)
        {
            if (op is BpfMapUpdate && op.Map == map)
            {
                wanted.Add(Convert.ToHexString(op.Key));
            }
        }

        var deletes = new List<BpfMapDelete>();
        foreach (byte[] key in kernelKeys)
        {
            if (!wanted.Contains(Convert.ToHexString(key)))
            {
                deletes.Add(new BpfMapDelete(map, key));
            }
        }

        deletes.Sort(static (a, b) => string.CompareOrdinal(Convert.ToHexString(a.Key), Convert.ToHexString(b.Key)));
        return deletes;
    }

    /// <summary>The writes that move <c>cali_host_ips</c> from <paramref name="previous"/> (null: unknown, write all) to <paramref name="next"/>.</summary>
    public static List<BpfMapOp> HostAddresses(IReadOnlySet<IPAddress>? previous, IReadOnlySet<IPAddress> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var ops = new List<BpfMapOp>();
        foreach (IPAddress address in next.OrderBy(static a => a.ToString(), StringComparer.Ordinal))
        {
            if (previous is null || !previous.Contains(address))
            {
                ops.Add(new BpfMapUpdate(BpfMapLayout.HostIpMap, BpfMapLayout.HostIpKey(address), BpfMapLayout.IpSetValue()));
            }
        }

        if (previous is not null)
        {
            foreach (IPAddress address in previous.OrderBy(static a => a.ToString(), StringComparer.Ordinal))
            {
                if (!next.Contains(address))
                {
                    ops.Add(new BpfMapDelete(BpfMapLayout.HostIpMap, BpfMapLayout.HostIpKey(address)));
                }
            }
        }

        return ops;
    }

    /// <summary>
    /// The writes that take <c>cali_pools</c> from <paramref name="previous"/> (null: nothing known) to
    /// <paramref name="next"/>: each prefix with whether the fast paths may use it (a pool: yes; a floating IP inside
    /// one: no).
    /// </summary>
    public static List<BpfMapOp> Pools(IReadOnlyDictionary<IPNetwork, bool>? previous, IReadOnlyDictionary<IPNetwork, bool> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var ops = new List<BpfMapOp>();
        foreach (var (prefix, fast) in next.OrderBy(static p => p.Key.ToString(), StringComparer.Ordinal))
        {
            if (previous is null || !previous.TryGetValue(prefix, out bool was) || was != fast)
            {
                ops.Add(new BpfMapUpdate(BpfMapLayout.PoolMap, BpfMapLayout.PoolKey(prefix), BpfMapLayout.PoolValue(fast)));
            }
        }

        if (previous is not null)
        {
            foreach (IPNetwork prefix in previous.Keys.OrderBy(static p => p.ToString(), StringComparer.Ordinal))
            {
                if (!next.ContainsKey(prefix))
                {
                    ops.Add(new BpfMapDelete(BpfMapLayout.PoolMap, BpfMapLayout.PoolKey(prefix)));
                }
            }
        }

        return ops;
    }

    /// <summary>
    /// The writes that take <c>cali_wl_ips</c> from <paramref name="previous"/> (null: nothing known) to
    /// <paramref name="next"/> (<see cref="LocalWorkloadAddresses"/>): each local workload's own address with its
    /// host-side ifindex.
    /// </summary>
    public static List<BpfMapOp> WorkloadAddresses(IReadOnlyDictionary<IPAddress, uint>? previous, IReadOnlyDictionary<IPAddress, uint> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var ops = new List<BpfMapOp>();
        foreach (var (address, ifindex) in next.OrderBy(static a => a.Key.ToString(), StringComparer.Ordinal))
        {
            if (previous is null || !previous.TryGetValue(address, out uint was) || was != ifindex)
            {
                ops.Add(new BpfMapUpdate(BpfMapLayout.WorkloadIpMap, BpfMapLayout.HostIpKey(address), BpfMapLayout.WorkloadIpValue(ifindex)));
            }
        }

        if (previous is not null)
        {
            foreach (IPAddress address in previous.Keys.OrderBy(static a => a.ToString(), StringComparer.Ordinal))
            {
                if (!next.ContainsKey(address))
                {
                    ops.Add(new BpfMapDelete(BpfMapLayout.WorkloadIpMap, BpfMapLayout.HostIpKey(address)));
                }
            }
        }

        return ops;
    }

    /// <summary>
    /// Every local workload endpoint's own addresses (its /32 and /128 ipNetworks; wider ones are left to the FIB) with
    /// the ifindex of its interface, for endpoints whose interface exists (<paramref name="ifindexOf"/>: null when not).
    /// </summary>
    public static Dictionary<IPAddress, uint> LocalWorkloadAddresses(DataplaneState state, Func<string, uint?> ifindexOf)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(ifindexOf);
        var local = new Dictionary<IPAddress, uint>();
        foreach (EndpointIntent endpoint in state.Endpoints.Values)
        {
            if (endpoint.Key.IsHostEndpoint || endpoint.InterfaceName is not { } iface || ifindexOf(iface) is not { } ifindex)
            {
                continue;
            }

            foreach (string cidr in endpoint.Ipv4Nets.Concat(endpoint.Ipv6Nets))
            {
                if (IPNetwork.TryParse(cidr, out IPNetwork net) && net.PrefixLength == (net.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128))
                {
                    local[net.BaseAddress] = ifindex;
                }
            }
        }

        return local;
    }
}
