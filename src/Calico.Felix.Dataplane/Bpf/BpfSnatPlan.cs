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
/// <param name="NatPools">The pools with natOutgoing (both families: one LPM trie keyed by family).</param>
public sealed record BpfSnatPlan(IReadOnlyDictionary<uint, IPAddress> Interfaces, IReadOnlySet<IPNetwork> NatPools, int PortMin, int PortMax)
{
    private static readonly Dictionary<uint, IPAddress> NoInterfaces = [];

    public static BpfSnatPlan Off { get; } = new(NoInterfaces, new HashSet<IPNetwork>(), 0, 0);

    /// <summary>ifindex → the IPv6 address flows leaving that interface are NATed to (its first global IPv6 address).</summary>
    public IReadOnlyDictionary<uint, IPAddress> Interfaces6 { get; init; } = NoInterfaces;

    /// <summary>
    /// What BPF NATs: nothing unless <paramref name="fastPathsOn"/> (BPF mode with no host endpoint whose policy reaches forwarded traffic: the table leaves
    /// NATed flows to the programs only then), nothing with <c>natOutgoingExclusions: IPPoolsAndHostIPs</c> (the
    /// programs do not know every host's address: the kernel masquerades). Each family on its own: each data interface
    /// (<paramref name="dataInterfaces"/>: ifindex, name, its first primary global IPv4 and first global IPv6 address,
    /// or null) matching <c>iptablesNATOutgoingInterfaceFilter</c> gets, for IPv4, <c>natOutgoingAddress</c> else its
    /// own address, and for IPv6 its own (<c>natOutgoingAddress</c> is IPv4-only upstream); none: that family is not
    /// NATed there, the kernel does it. A family with no natOutgoing pool or no such interface stays the kernel's.
    /// Ports for a collision: <c>natPortRange</c> when set, else <c>bpfPSNATPorts</c>.
    /// </summary>
    public static BpfSnatPlan Of(
        IEnumerable<(uint Ifindex, string Name, IPAddress? Address, IPAddress? Address6)> dataInterfaces, IEnumerable<string> natOutgoingPoolCidrs, bool fastPathsOn,
        NatOutgoingConfig options)
    {
        ArgumentNullException.ThrowIfNull(dataInterfaces);
        ArgumentNullException.ThrowIfNull(natOutgoingPoolCidrs);
        ArgumentNullException.ThrowIfNull(options);
        if (!fastPathsOn || options.ExcludeHostAddresses)
        {
            return Off;
        }

        var pools4 = new HashSet<IPNetwork>();
        var pools6 = new HashSet<IPNetwork>();
        foreach (string cidr in natOutgoingPoolCidrs)
        {
            if (IPNetwork.TryParse(cidr, out IPNetwork pool))
            {
                (pool.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? pools4 : pools6).Add(pool);
            }
        }

        var interfaces = new Dictionary<uint, IPAddress>();
        var interfaces6 = new Dictionary<uint, IPAddress>();
        IPAddress? snatAddress = options.SnatAddress is { AddressFamily: AddressFamily.InterNetwork } given ? given : null;
        foreach (var (ifindex, name, address, address6) in dataInterfaces)
        {
            if (!MatchesFilter(options.InterfaceFilter, name))
            {
                continue;
            }

            if (pools4.Count > 0 && (snatAddress ?? address) is { } nat)
            {
                interfaces[ifindex] = nat;
            }

            if (pools6.Count > 0 && address6 is not null)
            {
                interfaces6[ifindex] = address6;
            }
        }

        // A family without an interface to NAT from leaves its pools out too: the kernel masquerades it.
        var pools = new HashSet<IPNetwork>();
        if (interfaces.Count > 0)
        {
            pools.UnionWith(pools4);
        }

        if (interfaces6.Count > 0)
        {
            pools.UnionWith(pools6);
        }

        if (pools.Count == 0)
        {
            return Off;
        }

        PortRange ports = options.PortRange ?? options.BpfPsnatPorts;
        return new BpfSnatPlan(interfaces, pools, ports.First, ports.Last) { Interfaces6 = interfaces6 };
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
        foreach (bool v6 in (ReadOnlySpan<bool>)[false, true])
        {
            IReadOnlyDictionary<uint, IPAddress>? was = previous is null ? null : v6 ? previous.Interfaces6 : previous.Interfaces;
            foreach (var (ifindex, address) in (v6 ? next.Interfaces6 : next.Interfaces).OrderBy(static i => i.Key))
            {
                if (was is null || !was.TryGetValue(ifindex, out IPAddress? old) || !old.Equals(address) ||
                    previous!.PortMin != next.PortMin || previous.PortMax != next.PortMax)
                {
                    ops.Add(new BpfMapUpdate(BpfMapLayout.SnatMap, BpfMapLayout.SnatKey(ifindex, v6), BpfMapLayout.SnatValue(address, next.PortMin, next.PortMax)));
                }
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

            foreach (uint ifindex in previous.Interfaces6.Keys.Where(i => !next.Interfaces6.ContainsKey(i)).Order())
            {
                ops.Add(new BpfMapDelete(BpfMapLayout.SnatMap, BpfMapLayout.SnatKey(ifindex, v6: true)));
            }

            foreach (IPNetwork pool in previous.NatPools.Where(p => !next.NatPools.Contains(p)).OrderBy(static p => p.ToString(), StringComparer.Ordinal))
            {
                ops.Add(new BpfMapDelete(BpfMapLayout.NatPoolMap, BpfMapLayout.PoolKey(pool)));
            }
        }

        return ops;
    }
}
