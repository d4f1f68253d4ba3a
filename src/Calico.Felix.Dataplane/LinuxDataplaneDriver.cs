using System.Diagnostics;
using System.Net;
using Calico.Felix.Agent;
using Calico.Felix.Calc.Model;
using Calico.Felix.Dataplane.Bpf;
using Calico.Felix.Dataplane.Interfaces;
using Calico.Felix.Dataplane.Nftables;
using Calico.Felix.Dataplane.Routes;
using Calico.Felix.Rules;
using Calico.Linux.Netlink;
using Calico.Nftables;
using Microsoft.Extensions.Logging;

namespace Calico.Felix.Dataplane;

/// <summary>
/// The Linux dataplane of the host this process runs in, as a composition of dataplane managers: the nftables
/// manager (<c>table inet calico</c>, planned from the table last applied and written as one netlink transaction,
/// <c>nft -f</c> as fallback), the route manager (/32 and /128 routes to local workloads) and the workload-interface
/// configurator (their sysctls). Drift is found rule by rule (each rule's hash in its comment).
/// </summary>
internal sealed partial class LinuxDataplaneDriver : IDataplaneDriver, IDisposable
{
    private readonly RouteNetlink _netlink;
    private readonly KernelNftablesWriter _nftWriter;
    private readonly NftablesManager _nftables;
    private readonly RouteManager _routes;
    private readonly WorkloadInterfaceConfigurator _interfaces;
    private readonly ILogger _logger;
    private readonly RenderCache _renderCache = new();
    private readonly BpfModeSwitch _bpfMode;

    public LinuxDataplaneDriver(RouteManagerOptions routeOptions, WorkloadInterfaceSettings interfaceSettings, ILoggerFactory loggerFactory, BpfDataplaneOptions? bpfOptions = null)
    {
        _netlink = RouteNetlink.Open();
        _nftWriter = new KernelNftablesWriter(logger: loggerFactory.CreateLogger<KernelNftablesWriter>());
        _nftables = new NftablesManager(_nftWriter);
        _routes = new RouteManager(_netlink, routeOptions, loggerFactory.CreateLogger<RouteManager>());
        _interfaces = new WorkloadInterfaceConfigurator(interfaceSettings, loggerFactory.CreateLogger<WorkloadInterfaceConfigurator>());
        _logger = loggerFactory.CreateLogger("dataplane");
        _bpfMode = new BpfModeSwitch(bpfOptions ?? new BpfDataplaneOptions(), _netlink, _routes.IsWorkloadInterface, loggerFactory.CreateLogger("bpf"));
    }

    /// <summary>nft calls and errors, the applied table's shape, workload routes: for the metrics scrape (any thread).</summary>
    public DataplaneStatistics Statistics { get; } = new();

    /// <summary>Policies in the last applied table (read by the metrics scrape on another thread: replaced, never mutated).</summary>
    public IReadOnlyList<PolicyKey> ProgrammedPolicies { get; private set; } = [];

    /// <summary>Time of the last nft transaction and of the last route sync (for the benchmark and the log).</summary>
    public (TimeSpan Render, TimeSpan Nft, TimeSpan Routes, int ScriptLength) LastApply { get; private set; }

    public async Task ApplyAsync(DesiredDataplane desired, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();

        // bpfEnabled: the programs and maps take workload policy first, then the table drops its endpoint chains;
        // leaving BPF mode goes the other way round. A BPF dataplane that cannot start leaves policy to the table.
        RenderConfig render = _bpfMode.BeforeTable(desired.State, desired.Render, desired.AllPoolCidrs.Concat(desired.MasqueradePoolCidrs), desired.MasqueradePoolCidrs);
        desired = desired with { Render = render };
        NftTable table = NftablesRenderer.Build(desired.State, desired.Render, new NatInputs(desired.AllPoolCidrs, desired.MasqueradePoolCidrs) { HostAddresses = desired.HostAddresses, IpipPoolCidrs = desired.IpipPoolCidrs, VxlanPoolCidrs = desired.VxlanPoolCidrs }, _renderCache);
        TimeSpan renderTook = Stopwatch.GetElapsedTime(started);
        NftWriteResult? before = _nftables.LastWrite;
        try
        {
            await _nftables.ApplyAsync(table, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Statistics.NftWrite(failed: true);
            throw;
        }

        NftWriteResult? write = ReferenceEquals(before, _nftables.LastWrite) ? null : _nftables.LastWrite;
        if (write is not null)
        {
            Statistics.NftWrite(failed: false);
        }

        Statistics.TableApplied(table);
        _bpfMode.AfterTable(render);

        if (desired.State.Policies.Count != ProgrammedPolicies.Count || !desired.State.Policies.Keys.All(ProgrammedPoliciesSet().Contains))
        {
            ProgrammedPolicies = desired.State.Policies.Keys.ToArray();
            _programmedSet = null;
        }

        long routesStarted = Stopwatch.GetTimestamp();
        await SyncInterfacesAndRoutesAsync(desired.State, desired.Render.AllowWorkloadSourceSpoofing, desired.Render.FloatingIps, cancellationToken).ConfigureAwait(false);
        int length = write is null ? 0 : write.ScriptLength > 0 ? write.ScriptLength : -write.Steps;
        LastApply = (renderTook, write?.Duration ?? TimeSpan.Zero, Stopwatch.GetElapsedTime(routesStarted), length);
        Log.Applied(_logger, renderTook.TotalMilliseconds, LastApply.Nft.TotalMilliseconds, LastApply.Routes.TotalMilliseconds, LastApply.ScriptLength);
        _bpfMode.ThrowIfUnavailable();
    }

    public async Task<KernelReading> ReadKernelAsync(CancellationToken cancellationToken)
    {
        long generation = _nftables.Generation;
        string? json;
        try
        {
            json = await _nftables.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Statistics.NftList(failed: true);
            throw;
        }

        Statistics.NftList(failed: false);
        return new KernelReading(generation, json);
    }

    public async Task<DriftResult> RepairDriftAsync(DesiredDataplane desired, KernelReading? reading, CancellationToken cancellationToken)
    {
        string? repaired = null;
        if (_nftables.Applied is not null)
        {
            reading ??= await ReadKernelAsync(cancellationToken).ConfigureAwait(false);
            if (reading.Generation != _nftables.Generation)
            {
                return DriftResult.StaleReading; // an apply landed while it was read: it may show either side of it
            }

            if (_nftables.FindDrift(reading.Table) is { } difference)
            {
                repaired = "nftables: " + difference; // the manager forgot its table: the next apply replaces it whole
            }
        }

        if (_bpfMode.FindDrift() is { } bpfDrift)
        {
            repaired = (repaired is null ? "" : repaired + "; ") + bpfDrift; // the BPF dataplane resyncs in full next apply
        }

        if (_nftables.Applied is null || _bpfMode.NeedsApply)
        {
            await ApplyAsync(desired, cancellationToken).ConfigureAwait(false);
        }

        // Interface settings and routes are cheap to check: one dump each.
        _interfaces.Recheck();
        RouteSyncResult routes = await SyncInterfacesAndRoutesAsync(desired.State, desired.Render.AllowWorkloadSourceSpoofing, desired.Render.FloatingIps, cancellationToken).ConfigureAwait(false);
        if (routes.Added + routes.Replaced + routes.Removed > 0)
        {
            repaired = (repaired is null ? "" : repaired + "; ") + $"routes: {routes.Added} added, {routes.Replaced} replaced, {routes.Removed} removed";
        }

        return new DriftResult(repaired, Stale: false);
    }

    public void Dispose()
    {
        _bpfMode.Dispose();
        _netlink.Dispose();
        _nftWriter.Dispose();
    }

    private HashSet<PolicyKey>? _programmedSet;

    private HashSet<PolicyKey> ProgrammedPoliciesSet() => _programmedSet ??= [.. ProgrammedPolicies];

    /// <param name="allowSourceSpoofing">Felix's WorkloadSourceSpoofing is Any: a workload with allowSpoofedSourcePrefixes
    /// gets rp_filter 0, since the kernel's reverse-path filter would otherwise drop what the nft source check lets through.</param>
    /// <param name="floatingIps">Felix's FloatingIPs is Enabled: each workload's ipNATs external addresses are routed to it too.</param>
    private async Task<RouteSyncResult> SyncInterfacesAndRoutesAsync(DataplaneState state, bool allowSourceSpoofing, bool floatingIps, CancellationToken cancellationToken)
    {
        var routes = new Dictionary<string, IPNetwork[]>(StringComparer.Ordinal);
        var interfaces = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (EndpointIntent endpoint in state.Endpoints.Values)
        {
            if (endpoint.Key.IsHostEndpoint)
            {
                WarnUntrackedOnAllInterfaces(endpoint);
                continue;
            }

            if (endpoint.InterfaceName is not { Length: > 0 } iface || !_routes.IsWorkloadInterface(iface))
            {
                continue;
            }

            routes[iface] = WithFloatingIps(ParseNets(endpoint), endpoint, floatingIps);
            interfaces[iface] = allowSourceSpoofing && endpoint.AllowSpoofedSourcePrefixes.Count > 0;
            WarnIgnoredOnce(endpoint.Key, "spec.allowSpoofedSourcePrefixes", "workloadSourceSpoofing", ignored: endpoint.AllowSpoofedSourcePrefixes.Count > 0 && !allowSourceSpoofing);
        }

        await _interfaces.ApplyAsync(interfaces, cancellationToken).ConfigureAwait(false);
        await _routes.ApplyAsync(new WorkloadRoutes(routes, AllowRemovals: state.InSync), cancellationToken).ConfigureAwait(false);
        RouteSyncResult result = _routes.LastSync!;
        Statistics.RoutesSynced(routes, result.Duration);
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

        [LoggerMessage(31, LogLevel.Warning, "Route update failed (retried next time): {Failure}")]
        public static partial void RouteFailure(ILogger logger, string failure);
    }
}
