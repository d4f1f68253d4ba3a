using System.Net;
using Calico.Linux.Netlink;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Felix.Dataplane.Routes;

/// <summary>
/// Keeps the main table's routes to local workloads (<c>&lt;ip&gt;/32|/128 dev cali… scope link</c>) equal to the
/// desired state. Recording desired state is cheap and does no I/O; <see cref="Apply"/> reads the kernel (one link
/// dump, one route dump), diffs, and writes only the differences, so a restarted agent converges from whatever the
/// kernel holds and a route deleted by hand comes back on the next Apply. Nothing is removed unless the caller says
/// the desired state is complete (<c>allowRemovals</c>: the datastore is in sync). Not thread-safe: one apply loop
/// owns it (upstream's dataplane manager doctrine).
/// </summary>
public sealed partial class RouteManager
{
    private readonly RouteNetlink _netlink;
    private readonly RouteManagerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly Dictionary<string, IPNetwork[]> _desiredByInterface = new(StringComparer.Ordinal);
    private readonly Dictionary<IPNetwork, string> _ownerByDestination = [];
    private readonly Dictionary<int, long> _interfaceFirstSeen = [];
    private bool _ownersStale;

    /// <param name="netlink">A socket in the namespace to program (the caller owns and disposes it).</param>
    public RouteManager(RouteNetlink netlink, RouteManagerOptions? options = null, ILogger<RouteManager>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(netlink);
        _netlink = netlink;
        _options = options ?? new RouteManagerOptions();
        if (_options.WorkloadInterfacePrefixes.Count == 0 || _options.WorkloadInterfacePrefixes.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("WorkloadInterfacePrefixes needs at least one non-empty prefix", nameof(options));
        }

        _logger = logger ?? (ILogger)NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Sets the destinations routed to <paramref name="ifaceName"/> (replacing earlier ones). Each must be a host
    /// route (/32 or /128); an empty list is the same as <see cref="RemoveInterface"/>.
    /// </summary>
    public void SetInterfaceRoutes(string ifaceName, IReadOnlyList<IPNetwork> destinations)
    {
        ValidateInterfaceName(ifaceName);
        ArgumentNullException.ThrowIfNull(destinations);
        if (destinations.Count == 0)
        {
            RemoveInterface(ifaceName);
            return;
        }

        var copy = new IPNetwork[destinations.Count];
        for (int i = 0; i < copy.Length; i++)
        {
            IPNetwork destination = destinations[i];
            int hostLength = destination.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
            if (destination.PrefixLength != hostLength)
            {
                throw new ArgumentException($"workload route {destination} for {ifaceName} is not a host route (/32 or /128)", nameof(destinations));
            }

            copy[i] = destination;
        }

        _desiredByInterface[ifaceName] = copy;
        _ownersStale = true;
    }

    /// <summary>Forgets the interface's routes; the next Apply with removals allowed deletes them.</summary>
    public void RemoveInterface(string ifaceName)
    {
        ValidateInterfaceName(ifaceName);
        if (_desiredByInterface.Remove(ifaceName))
        {
            _ownersStale = true;
        }
    }

    /// <summary>True when <paramref name="ifaceName"/> starts with one of the workload prefixes.</summary>
    public bool IsWorkloadInterface(string ifaceName)
    {
        foreach (string prefix in _options.WorkloadInterfacePrefixes)
        {
            if (ifaceName.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Rebuilds destination → interface after a change. A destination claimed by two interfaces (an IP moving
    /// between workloads, seen mid-update) goes to the ordinal-first name, so the outcome does not depend on the
    /// order updates arrived in.
    /// </summary>
    private void RefreshOwners()
    {
        if (!_ownersStale)
        {
            return;
        }

        _ownerByDestination.Clear();
        foreach ((string ifaceName, IPNetwork[] destinations) in _desiredByInterface)
        {
            foreach (IPNetwork destination in destinations)
            {
                if (_ownerByDestination.TryGetValue(destination, out string? existing))
                {
                    string kept = string.CompareOrdinal(existing, ifaceName) <= 0 ? existing : ifaceName;
                    string ignored = ReferenceEquals(kept, existing) ? ifaceName : existing;
                    Log.RouteConflict(_logger, destination, kept, ignored);
                    _ownerByDestination[destination] = kept;
                }
                else
                {
                    _ownerByDestination[destination] = ifaceName;
                }
            }
        }

        _ownersStale = false;
    }

    private static void ValidateInterfaceName(string ifaceName)
    {
        ArgumentException.ThrowIfNullOrEmpty(ifaceName);
        if (ifaceName.Length > 15)
        {
            throw new ArgumentException($"'{ifaceName}' is longer than an interface name can be (15)", nameof(ifaceName));
        }
    }
}
