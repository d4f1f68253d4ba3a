using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Calico.Linux;
using Calico.Linux.Netlink;

namespace Calico.Felix.Dataplane.Routes;

/// <summary>The reconcile step: read the kernel once, diff against desired state, write only the differences.</summary>
public sealed partial class RouteManager
{
    private const byte ProtocolKernel = 2;
    private const byte ProtocolBoot = 3;
    private const byte ProtocolFelix = 80;
    private const byte ProtocolBird = 12;
    private const byte TypeUnicast = 1;
    private const byte ScopeLink = 253;
    private const uint MainTable = 254;

    /// <summary>
    /// Makes the kernel match the desired routes. Missing routes are added and wrong ones replaced in place
    /// (NLM_F_REPLACE, no gap); with <paramref name="allowRemovals"/> routes through workload interfaces that are
    /// not desired are deleted (except on interfaces younger than the grace period). Routes through other interfaces
    /// are never removed. A full resync and an incremental apply are the same call: the dump shows what differs.
    /// </summary>
    public RouteSyncResult Apply(bool allowRemovals)
    {
        long started = Stopwatch.GetTimestamp();
        RefreshOwners();
        Dictionary<string, int> indexByName = ReadLinks(out Dictionary<int, string> nameByIndex);
        IReadOnlyList<RouteInfo> kernelRoutes = _netlink.ListRoutes(RouteFilter.MainTable);

        var satisfied = new HashSet<IPNetwork>();
        var keysInKernel = new HashSet<(IPNetwork Destination, uint Metric)>();
        var staleCandidates = new List<RouteInfo>();
        foreach (RouteInfo route in kernelRoutes)
        {
            // Kernel-made routes (IPv6 fe80::/64 on every link) and multicast/local types belong to the kernel.
            if (route.Type != TypeUnicast || route.Protocol == ProtocolKernel || route.Table != MainTable)
            {
                continue;
            }

            keysInKernel.Add((route.Destination, route.Metric));
            if (!nameByIndex.TryGetValue(route.OutInterfaceIndex, out string? ifaceName))
            {
                continue;
            }

            if (_ownerByDestination.TryGetValue(route.Destination, out string? owner)
                && string.Equals(owner, ifaceName, StringComparison.Ordinal)
                && IsExactlyDesired(route))
            {
                satisfied.Add(route.Destination);
            }
            else if (IsWorkloadInterface(ifaceName) && IsOurs(route))
            {
                staleCandidates.Add(route);
            }
        }

        var counters = new Counters();
        var written = new HashSet<(IPNetwork Destination, uint Metric)>();
        ProgramMissing(indexByName, satisfied, keysInKernel, written, counters);
        RemoveStale(staleCandidates, written, nameByIndex, allowRemovals, counters);

        TimeSpan duration = Stopwatch.GetElapsedTime(started);
        Log.RouteApplied(_logger, counters.Added, counters.Replaced, counters.Removed, satisfied.Count, counters.Missing.Count, counters.Deferred, duration.TotalMilliseconds);
        return new RouteSyncResult(counters.Added, counters.Replaced, counters.Removed, satisfied.Count, counters.Missing, counters.Deferred, counters.Failures, duration);
    }

    private void ProgramMissing(
        Dictionary<string, int> indexByName,
        HashSet<IPNetwork> satisfied,
        HashSet<(IPNetwork Destination, uint Metric)> keysInKernel,
        HashSet<(IPNetwork Destination, uint Metric)> written,
        Counters counters)
    {
        foreach ((IPNetwork destination, string ifaceName) in _ownerByDestination)
        {
            if (satisfied.Contains(destination))
            {
                continue;
            }

            if (!indexByName.TryGetValue(ifaceName, out int index))
            {
                // The CNI plugin may create the veth after the endpoint appears: retried on the next Apply.
                counters.Missing.Add(ifaceName);
                continue;
            }

            uint metric = MetricFor(destination);
            var spec = new RouteSpec(destination, index) { Scope = ScopeLink, Protocol = _options.DeviceRouteProtocol, Metric = metric };
            try
            {
                _netlink.ReplaceRoute(spec);
            }
            catch (NetlinkException ex) when (ex.Errno == ErrnoNoDevice)
            {
                counters.Missing.Add(ifaceName);
                continue;
            }
            catch (NetlinkException ex)
            {
                counters.Failures.Add(ex.Message);
                Log.RouteFailed(_logger, ex.Message);
                continue;
            }

            bool replaced = keysInKernel.Contains((destination, metric));
            written.Add((destination, metric));
            if (replaced)
            {
                counters.Replaced++;
            }
            else
            {
                counters.Added++;
            }

            Log.RouteProgrammed(_logger, destination, ifaceName, replaced ? "replaced" : "added");
        }
    }

    private void RemoveStale(
        List<RouteInfo> staleCandidates,
        HashSet<(IPNetwork Destination, uint Metric)> written,
        Dictionary<int, string> nameByIndex,
        bool allowRemovals,
        Counters counters)
    {
        long now = _timeProvider.GetTimestamp();
        foreach (RouteInfo route in staleCandidates)
        {
            // A replace above overwrote this very route (same destination and metric): it is gone already.
            if (written.Contains((route.Destination, route.Metric)))
            {
                continue;
            }

            if (!allowRemovals || IsInGracePeriod(route.OutInterfaceIndex, now))
            {
                counters.Deferred++;
                continue;
            }

            string ifaceName = nameByIndex[route.OutInterfaceIndex];
            try
            {
                if (_netlink.TryDeleteRoute(route))
                {
                    counters.Removed++;
                    Log.RouteRemoved(_logger, route.Destination, ifaceName, route.Protocol);
                }
            }
            catch (NetlinkException ex)
            {
                counters.Failures.Add(ex.Message);
                Log.RouteFailed(_logger, ex.Message);
            }
        }
    }

    /// <summary>One link dump; also remembers when each workload interface was first seen (for the grace period).</summary>
    private Dictionary<string, int> ReadLinks(out Dictionary<int, string> nameByIndex)
    {
        IReadOnlyList<LinkInfo> links = _netlink.ListLinks();
        var indexByName = new Dictionary<string, int>(links.Count, StringComparer.Ordinal);
        nameByIndex = new Dictionary<int, string>(links.Count);
        long now = _timeProvider.GetTimestamp();
        var present = new HashSet<int>();
        foreach (LinkInfo link in links)
        {
            indexByName[link.Name] = link.Index;
            nameByIndex[link.Index] = link.Name;
            if (IsWorkloadInterface(link.Name))
            {
                present.Add(link.Index);
                _interfaceFirstSeen.TryAdd(link.Index, now);
            }
        }

        if (_interfaceFirstSeen.Count > present.Count)
        {
            foreach (int index in _interfaceFirstSeen.Keys.Where(i => !present.Contains(i)).ToList())
            {
                _interfaceFirstSeen.Remove(index);
            }
        }

        return indexByName;
    }

    private bool IsInGracePeriod(int interfaceIndex, long now) =>
        _options.NewInterfaceGracePeriod > TimeSpan.Zero
        && _interfaceFirstSeen.TryGetValue(interfaceIndex, out long firstSeen)
        && _timeProvider.GetElapsedTime(firstSeen, now) < _options.NewInterfaceGracePeriod;

    /// <summary>IPv6 has no route scopes: the kernel stores and reports universe whatever was asked.</summary>
    private bool IsExactlyDesired(RouteInfo route) =>
        route.Gateway is null
        && (route.Scope == ScopeLink || route.Destination.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6)
        && route.Protocol == _options.DeviceRouteProtocol
        && route.Metric == MetricFor(route.Destination);

    /// <summary>Upstream's main-table ownership rule for routes through a workload interface.</summary>
    private bool IsOurs(RouteInfo route) =>
        route.Protocol != ProtocolBird // BIRD's, e.g. learned from a local workload peer (upstream: IsWorkloadBGPPeerIface)
        && (_options.RemoveExternalRoutes
        || route.Protocol == ProtocolBoot
        || route.Protocol == ProtocolFelix
        || route.Protocol == _options.DeviceRouteProtocol);

    private uint MetricFor(IPNetwork destination) =>
        destination.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? _options.IPv4Metric : _options.EffectiveIPv6Metric;

    private const int ErrnoNoDevice = 19;

    private sealed class Counters
    {
        public int Added { get; set; }

        public int Replaced { get; set; }

        public int Removed { get; set; }

        public int Deferred { get; set; }

        public HashSet<string> Missing { get; } = new(StringComparer.Ordinal);

        public List<string> Failures { get; } = [];
    }
}
