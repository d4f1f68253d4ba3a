using System.Net;
using System.Net.Sockets;
using Calico.Felix.Bpf;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;

namespace Calico.Felix.Dataplane.Bpf;

/// <summary>
/// NAT outgoing in BPF, what calico-node writes: each data interface's NAT address (<c>cali_snat</c>) with the port range
/// a colliding flow is given, and the natOutgoing pools (<c>cali_nat_pools</c>). Empty: BPF NAT is off, the kernel
/// masquerades as in nftables mode.
/// </summary>
/// <param name="Interfaces">ifindex → the IPv4 address flows leaving that interface are NATed to.</param>
/// <param name="NatPools">The IPv4 pools with natOutgoing.</param>
public sealed record BpfSnatPlan(IReadOnlyDictionary<uint, IPAddress> Interfaces, IReadOnlySet<IPNetwork> NatPools, int PortMin, int PortMax)
{
    public static BpfSnatPlan Off { get; } = new(new Dictionary<uint, IPAddress>(), new HashSet<IPNetwork>(), 0, 0);

    /// <summary>
    /// What BPF NATs: nothing unless <paramref name="fastPathsOn"/> (BPF mode with no host endpoint: the table leaves
    /// NATed flows to the programs only then), nothing with <c>natOutgoingExclusions: IPPoolsAndHostIPs</c> (the
    /// programs do not know every host's address: the kernel masquerades), and only IPv4. Each data interface
    /// (<paramref name="dataInterfaces"/>: ifindex, name, its first primary IPv4 address or null) matching
    /// <c>iptablesNATOutgoingInterfaceFilter</c> gets <c>natOutgoingAddress</c>, else its own address (none: not NATed
    /// here, the kernel does it). Ports for a collision: <c>natPortRange</c> when set, else <c>bpfPSNATPorts</c>.
    /// </summary>
    public static BpfSnatPlan Of(
        IEnumerable<(uint Ifindex, string Name, IPAddress? Address)> dataInterfaces, IEnumerable<string> natOutgoingPoolCidrs, bool fastPathsOn, NatOutgoingConfig options)
    {
        ArgumentNullException.ThrowIfNull(dataInterfaces);
        ArgumentNullException.ThrowIfNull(natOutgoingPoolCidrs);
        ArgumentNullException.ThrowIfNull(options);
        if (!fastPathsOn || options.ExcludeHostAddresses)
        {
            return Off;
        }

        var pools = new HashSet<IPNetwork>();
        foreach (string cidr in natOutgoingPoolCidrs)
        {
            if (IPNetwork.TryParse(cidr, out IPNetwork pool) && pool.BaseAddress.AddressFamily == AddressFamily.InterNetwork)
            {
                pools.Add(pool);
            }
        }

        if (pools.Count == 0)
        {
            return Off;
        }

        var interfaces = new Dictionary<uint, IPAddress>();
        foreach (var (ifindex, name, address) in dataInterfaces)
        {
            if (MatchesFilter(options.InterfaceFilter, name) && (options.SnatAddress ?? address) is { } nat)
            {
                interfaces[ifindex] = nat;
            }
        }

        if (interfaces.Count == 0)
        {
            return Off;
        }

        PortRange ports = options.PortRange ?? options.BpfPsnatPorts;
        return new BpfSnatPlan(interfaces, pools, ports.First, ports.Last);
    }

    /// <summary>Upstream's interface filter: empty or <c>+</c> every interface, a trailing <c>+</c> a prefix, else the name.</summary>
    public static bool MatchesFilter(string filter, string name)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(name);
        return filter.Length == 0 || filter == "+" || (filter.EndsWith('+') ? name.StartsWith(filter[..^1], StringComparison.Ordinal) : name == filter);
    }

    /// <summary>The writes that take the two maps from <paramref name="previous"/> (null: nothing known) to <paramref name="next"/>.</summary>
    public static List<BpfMapOp> Diff(BpfSnatPlan? previous, BpfSnatPlan next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var ops = new List<BpfMapOp>();
        foreach (var (ifindex, address) in next.Interfaces.OrderBy(static i => i.Key))
        {
            if (previous is null || !previous.Interfaces.TryGetValue(ifindex, out IPAddress? was) || !was.Equals(address) ||
                previous.PortMin != next.PortMin || previous.PortMax != next.PortMax)
            {
                ops.Add(new BpfMapUpdate(BpfMapLayout.SnatMap, BpfMapLayout.SnatKey(ifindex), BpfMapLayout.SnatValue(address, next.PortMin, next.PortMax)));
            }
        }

        foreach (IPNetwork pool in next.NatPools.OrderBy(static p => p.ToString(), StringComparer.Ordinal))
        {
            if (previous is null || !previous.NatPools.Contains(pool))
            {
                ops.Add(new BpfMapUpdate(BpfMapLayout.NatPoolMap, BpfMapLayout.PoolKey(pool), BpfMapLayout.PoolValue(fast: true)));
            }
        }

        if (previous is not null)
        {
            foreach (uint ifindex in previous.Interfaces.Keys.Where(i => !next.Interfaces.ContainsKey(i)).Order())
            {
                ops.Add(new BpfMapDelete(BpfMapLayout.SnatMap, BpfMapLayout.SnatKey(ifindex)));
            }

            foreach (IPNetwork pool in previous.NatPools.Where(p => !next.NatPools.Contains(p)).OrderBy(static p => p.ToString(), StringComparer.Ordinal))
            {
                ops.Add(new BpfMapDelete(BpfMapLayout.NatPoolMap, BpfMapLayout.PoolKey(pool)));
            }
        }

        return ops;
    }
}
