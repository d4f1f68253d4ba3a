using System.Diagnostics;
using System.Net;
using Calico.Felix.Calc.Model;
using Calico.Felix.Dataplane.Interfaces;
using Calico.Felix.Dataplane.Routes;
using Calico.Felix.Rules;
using Calico.Linux.Netlink;
using Calico.Linux.Nft;
using Calico.Nftables;
using Calico.Node.Agent;
using Microsoft.Extensions.Logging;

namespace Calico.Node.Dataplane;

/// <summary>
/// The Linux dataplane of the host this process runs in: <c>table inet calico</c> through one <c>nft -f</c>
/// transaction per batch (the full table the first time and after any failure or drift, only the delta otherwise),
/// /32 and /128 routes to local workloads and their interface settings through netlink.
/// The model of what was last applied is kept in memory, so the update path never reads the table back.
/// </summary>
internal sealed partial class LinuxDataplaneDriver : IDataplaneDriver, IDisposable
{
    private readonly RouteNetlink _netlink;
    private readonly RouteManager _routes;
    private readonly WorkloadInterfaceConfigurator _interfaces;
    private readonly ILogger _logger;
    private readonly Dictionary<string, IPNetwork[]> _routesByInterface = new(StringComparer.Ordinal);
    private readonly HashSet<string> _configuredInterfaces = new(StringComparer.Ordinal);
    private readonly RenderCache _renderCache = new();
    private NfTablesSetElements? _nfTables;
    private NfTables? _nfTablesRules;
    private readonly Dictionary<string, NfTablesRule> _compiledRules = new(StringComparer.Ordinal);
    private NftTable? _applied;

    /// <summary>Counts kernel table changes, so a read-back taken before the latest one is known to be stale.</summary>
    private long _generation;
    private bool _hostSysctlsDone;

    public LinuxDataplaneDriver(RouteManagerOptions routeOptions, WorkloadInterfaceSettings interfaceSettings, ILoggerFactory loggerFactory)
    {
        _netlink = RouteNetlink.Open();
        _routes = new RouteManager(_netlink, routeOptions, loggerFactory.CreateLogger<RouteManager>());
        _interfaces = new WorkloadInterfaceConfigurator(interfaceSettings, loggerFactory.CreateLogger<WorkloadInterfaceConfigurator>());
        _logger = loggerFactory.CreateLogger("dataplane");
    }

    /// <summary>Policies in the last applied table (read by the metrics scrape on another thread: replaced, never mutated).</summary>
    public IReadOnlyList<PolicyKey> ProgrammedPolicies { get; private set; } = [];

    /// <summary>Time of the last nft transaction and of the last route sync (for the benchmark and the log).</summary>
    public (TimeSpan Render, TimeSpan Nft, TimeSpan Routes, int ScriptLength) LastApply { get; private set; }

    public async Task ApplyAsync(DesiredDataplane desired, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _generation);
        long started = Stopwatch.GetTimestamp();
        NftTable table = NftablesRenderer.Build(desired.State, desired.Render, new NatInputs(desired.AllPoolCidrs, desired.MasqueradePoolCidrs), _renderCache);
        List<SetElementChange>? elementsOnly = _applied is null ? null : ElementOnlyDelta.TryCompute(_applied, table);
        string? fallbackReason = null;
        NetlinkDelta? netlinkDelta = _applied is null || elementsOnly is not null ? null : NetlinkDelta.TryCompute(_applied, table, _compiledRules, out fallbackReason);
        string script = elementsOnly is null && netlinkDelta is null ? NftDelta.Between(_applied, table) : "";
        TimeSpan render = Stopwatch.GetElapsedTime(started);
        TimeSpan nft = TimeSpan.Zero;
        if (script.Length > 0)
        {
            _compiledRules.Clear(); // set declarations may change with this script: compile afresh next time
            if (fallbackReason is not null)
            {
                Log.NftFallback(_logger, fallbackReason);
            }
        }

        if (netlinkDelta is not null && netlinkDelta.Count > 0)
        {
            long netlinkStarted = Stopwatch.GetTimestamp();
            try
            {
                _nfTablesRules ??= NfTables.Open();
                _nfTablesRules.Apply(netlinkDelta.ToTransaction(NftTableNames.Table));
            }
            catch
            {
                _applied = null; // one batch: nothing of it applied; the next attempt replaces the whole table
                _nfTablesRules?.Dispose();
                _nfTablesRules = null;
                throw;
            }

            nft = Stopwatch.GetElapsedTime(netlinkStarted);
        }
        else if (elementsOnly is { Count: > 0 })
        {
            long netlinkStarted = Stopwatch.GetTimestamp();
            try
            {
                _nfTables ??= NfTablesSetElements.Open();
                _nfTables.Apply("inet", NftTableNames.Table, elementsOnly);
            }
            catch
            {
                _applied = null; // one batch: nothing of it applied; the next attempt replaces the whole table
                _nfTables?.Dispose();
                _nfTables = null;
                throw;
            }

            nft = Stopwatch.GetElapsedTime(netlinkStarted);
        }
        else if (script.Length > 0)
        {
            try
            {
                nft = (await NftRunner.ApplyAsync(script, cancellationToken).ConfigureAwait(false)).Duration;
            }
            catch
            {
                // Whatever the kernel holds is the previous state (one transaction); forget our model of it so the
                // next attempt replaces the whole table rather than trusting a delta base that may be wrong.
                _applied = null;
                throw;
            }
        }

        _applied = table;
        if (desired.State.Policies.Count != ProgrammedPolicies.Count || !desired.State.Policies.Keys.All(ProgrammedPoliciesSet().Contains))
        {
            ProgrammedPolicies = desired.State.Policies.Keys.ToArray();
            _programmedSet = null;
        }

        long routesStarted = Stopwatch.GetTimestamp();
        SyncInterfacesAndRoutes(desired.State);
        int netlinkSteps = elementsOnly?.Count ?? (netlinkDelta?.Count ?? 0);
        LastApply = (render, nft, Stopwatch.GetElapsedTime(routesStarted), script.Length > 0 ? script.Length : -netlinkSteps);
        Log.Applied(_logger, render.TotalMilliseconds, nft.TotalMilliseconds, LastApply.Routes.TotalMilliseconds, LastApply.ScriptLength);
    }

    public async Task<KernelReading> ReadKernelAsync(CancellationToken cancellationToken)
    {
        long generation = Interlocked.Read(ref _generation);
        string? json = await NftRunner.ListTableJsonAsync("inet", NftTableNames.Table, cancellationToken).ConfigureAwait(false);
        return new KernelReading(generation, json);
    }

    public async Task<DriftResult> RepairDriftAsync(DesiredDataplane desired, KernelReading? reading, CancellationToken cancellationToken)
    {
        string? repaired = null;
        if (_applied is not null)
        {
            reading ??= await ReadKernelAsync(cancellationToken).ConfigureAwait(false);
            if (reading.Generation != Interlocked.Read(ref _generation))
            {
                return DriftResult.StaleReading; // an apply landed while it was read: it may show either side of it
            }

            string? difference = reading.Table is null ? "table inet calico is missing" : NftTableCensus.Difference(NftTableCensus.Of(_applied), NftTableCensus.Parse(reading.Table));
            if (difference is not null)
            {
                _applied = null; // the next apply sends the whole table, atomically
                repaired = "nftables: " + difference;
            }
        }

        if (_applied is null)
        {
            await ApplyAsync(desired, cancellationToken).ConfigureAwait(false);
        }

        // Interface settings and routes are cheap to check: one dump each.
        _configuredInterfaces.Clear();
        RouteSyncResult routes = SyncInterfacesAndRoutes(desired.State);
        if (routes.Added + routes.Replaced + routes.Removed > 0)
        {
            repaired = (repaired is null ? "" : repaired + "; ") + $"routes: {routes.Added} added, {routes.Replaced} replaced, {routes.Removed} removed";
        }

        return new DriftResult(repaired, Stale: false);
    }

    public void Dispose()
    {
        _netlink.Dispose();
        _nfTables?.Dispose();
        _nfTablesRules?.Dispose();
    }

    private HashSet<PolicyKey>? _programmedSet;

    private HashSet<PolicyKey> ProgrammedPoliciesSet() => _programmedSet ??= [.. ProgrammedPolicies];

    private RouteSyncResult SyncInterfacesAndRoutes(DataplaneState state)
    {
        if (!_hostSysctlsDone)
        {
            _interfaces.EnsureHostSysctls();
            _hostSysctlsDone = true;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (EndpointIntent endpoint in state.Endpoints.Values)
        {
            if (endpoint.Key.IsHostEndpoint || endpoint.InterfaceName is not { Length: > 0 } iface || !_routes.IsWorkloadInterface(iface))
            {
                continue;
            }

            seen.Add(iface);
            IPNetwork[] nets = ParseNets(endpoint);
            if (!_routesByInterface.TryGetValue(iface, out IPNetwork[]? current) || !current.AsSpan().SequenceEqual(nets))
            {
                _routes.SetInterfaceRoutes(iface, nets);
                _routesByInterface[iface] = nets;
            }

            if (!_configuredInterfaces.Contains(iface) && _interfaces.Configure(iface).InterfaceExists)
            {
                _configuredInterfaces.Add(iface);
            }
        }

        foreach (string gone in _routesByInterface.Keys.Where(i => !seen.Contains(i)).ToList())
        {
            _routes.RemoveInterface(gone);
            _routesByInterface.Remove(gone);
            _configuredInterfaces.Remove(gone);
        }

        RouteSyncResult result = _routes.Apply(allowRemovals: state.InSync);
        foreach (string failure in result.Failures)
        {
            Log.RouteFailure(_logger, failure);
        }

        return result;
    }

    private static IPNetwork[] ParseNets(EndpointIntent endpoint)
    {
        var nets = new List<IPNetwork>(endpoint.Ipv4Nets.Count + endpoint.Ipv6Nets.Count);
        foreach (string cidr in endpoint.Ipv4Nets.Concat(endpoint.Ipv6Nets))
        {
            if (IPNetwork.TryParse(cidr, out IPNetwork net))
            {
                nets.Add(net);
            }
        }

        nets.Sort(static (a, b) => string.CompareOrdinal(a.ToString(), b.ToString()));
        return nets.ToArray();
    }

    private static partial class Log
    {
        [LoggerMessage(30, LogLevel.Debug, "Dataplane applied: render {RenderMs:F2} ms, nft {NftMs:F2} ms, routes {RoutesMs:F2} ms, script {Length} bytes (negative: that many netlink steps)")]
        public static partial void Applied(ILogger logger, double renderMs, double nftMs, double routesMs, int length);

        [LoggerMessage(32, LogLevel.Debug, "Table delta sent through nft -f: {Reason}")]
        public static partial void NftFallback(ILogger logger, string reason);

        [LoggerMessage(31, LogLevel.Warning, "Route update failed (retried next time): {Failure}")]
        public static partial void RouteFailure(ILogger logger, string failure);
    }
}

/// <summary>The table our renderer writes.</summary>
internal static class NftTableNames
{
    public const string Table = "calico";
}
