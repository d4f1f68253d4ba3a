using System.Net;
using System.Text.RegularExpressions;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;
using Calico.Linux.Bpf;
using Calico.Linux.Netlink;
using Microsoft.Extensions.Logging;

namespace Calico.Felix.Dataplane.Bpf;

/// <summary>Where the eBPF dataplane pins its maps and finds its object file.</summary>
/// <param name="Root">The bpffs directory (calico-node's <c>CALICO_BPF_ROOT</c>, default /sys/fs/bpf/calico).</param>
/// <param name="ObjectPath">calico_tc.o; null: <see cref="BpfObjectFiles.Path"/> (beside the executable, or <c>CALICO_BPF_DIR</c>).</param>
public sealed record BpfDataplaneOptions(string Root = BpfFilesystem.DefaultRoot, string? ObjectPath = null);

/// <summary>
/// Switches workload policy between the nftables table and the eBPF programs as FelixConfiguration's
/// <c>bpfEnabled</c> (<see cref="RenderConfig.WorkloadPolicyInBpf"/>) changes, on a running node, in the order that
/// never leaves a workload without policy: entering BPF mode, the programs are attached with the policy in their maps
/// <em>before</em> the table drops its endpoint chains; leaving it, the table's chains are back <em>before</em> the
/// programs are detached (<see cref="BeforeTable"/> / <see cref="AfterTable"/>). Established connections survive
/// both ways: the kernel's conntrack keeps accepting them in the table, and the programs pass a mid-flow packet that
/// policy allows (it opens a conntrack entry of their own).
/// When the BPF dataplane cannot start (no object file, a kernel without what it needs, the verifier refusing),
/// policy stays in the table, the error is logged, and every apply fails with it (readiness says why) until
/// <c>bpfEnabled</c> is turned off; a new start is tried at most every <see cref="RetryInterval"/>.
/// </summary>
internal sealed partial class BpfModeSwitch : IDisposable
{
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(30);

    private readonly BpfDataplaneOptions _options;
    private readonly RouteNetlink _netlink;
    private readonly Func<string, bool> _isWorkloadInterface;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private BpfWorkloadDataplane? _dataplane;
    private string? _unavailable;
    private long _failedAt;
    private bool _leftoversChecked;
    private bool _resyncNeeded;

    public BpfModeSwitch(BpfDataplaneOptions options, RouteNetlink netlink, Func<string, bool> isWorkloadInterface, ILogger logger, TimeProvider? time = null)
    {
        _options = options;
        _netlink = netlink;
        _isWorkloadInterface = isWorkloadInterface;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The running BPF dataplane, or null (nftables mode, or BPF mode that could not start).</summary>
    public BpfWorkloadDataplane? Dataplane => _dataplane;

    /// <summary>Drift was found: the next apply must run even if the table is unchanged.</summary>
    public bool NeedsApply => _resyncNeeded;

    /// <summary>
    /// Before the table is written: in BPF mode, starts the BPF dataplane if needed and writes the policy into its
    /// maps. Returns the render configuration the table must be built with (BPF mode only when the programs are in force).
    /// </summary>
    public RenderConfig BeforeTable(DataplaneState state, RenderConfig render, IEnumerable<string>? poolCidrs = null, IEnumerable<string>? natOutgoingPoolCidrs = null)
    {
        _resyncNeeded = false;
        if (!render.WorkloadPolicyInBpf)
        {
            _unavailable = null;
            return render;
        }

        if (_dataplane is null && !TryStart())
        {
            return render with { WorkloadPolicyInBpf = false };
        }

        // The fast paths take packets past the kernel's conntrack: safe only where the table leaves them untracked.
        // A pool the fast paths gain waits until the table that untracks it is in force (AfterTable); one they lose
        // goes now, before a table that tracks it again.
        IReadOnlyDictionary<IPNetwork, bool> pools = BpfFastPathPools.Of(state, render, poolCidrs);
        _poolsAfterTable = pools;
        ReportFastPaths(state);
        // NAT outgoing in BPF while the fast paths are on (no host endpoint policing forwarded traffic): its maps may go before the table (a marked
        // packet the table does not yet leave to the programs is masqueraded by the kernel, and the programs leave a
        // packet with the host's source alone), and go away before a table that takes NAT back.
        BpfApplyResult result = _dataplane!.Apply(
            state, render, _isWorkloadInterface, BpfFastPathPools.BeforeTable(_dataplane.AppliedPools, pools), DataInterfaces(render.BpfDataInterfacePattern),
            natOutgoingPoolCidrs, snatOn: pools.Values.Any(static fast => fast));
        MaintainIfDue();
        if (result.Full || result.Attached > 0)
        {
            Log.Applied(_logger, result.Full ? "full resync" : "delta", result.Writes, result.Attached, result.Tables, result.IpSets, result.Duration.TotalMilliseconds);
        }

        return render;
    }

    private Regex? _dataPattern;
    private IReadOnlyDictionary<IPNetwork, bool>? _poolsAfterTable;
    private string? _fastPathsOffBecause;

    /// <summary>
    /// Says once, when it changes, that a host endpoint's policy has turned the fast paths and NAT outgoing in BPF off
    /// (naming the endpoint and the kind of policy), or that they are back on: a throughput change the operator would
    /// otherwise have to guess at.
    /// </summary>
    private void ReportFastPaths(DataplaneState state)
    {
        string? offBecause = HostEndpointForwarding.FirstPolicingForwardedTraffic(state) is { } hep
            ? $"host endpoint {hep.Endpoint} has {hep.Kind} policy, which the nftables table must apply to forwarded traffic"
            : null;
        if (offBecause == _fastPathsOffBecause)
        {
            return;
        }

        if (offBecause is null)
        {
            Log.FastPathsOn(_logger);
        }
        else
        {
            Log.FastPathsOff(_logger, offBecause);
        }

        _fastPathsOffBecause = offBecause;
    }

    /// <summary>
    /// The host's data interfaces, whose ingress gets the fast path in: what FelixConfiguration's
    /// <c>bpfDataIfacePattern</c> matches, and the VXLAN devices (upstream attaches to its tunnel devices too).
    /// </summary>
    internal Func<string, bool> DataInterfaces(string pattern)
    {
        if (_dataPattern?.ToString() != pattern)
        {
            _dataPattern = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }

        Regex regex = _dataPattern;
        return name => name is Vxlan.VxlanManager.IPv4DeviceName or Vxlan.VxlanManager.IPv6DeviceName || regex.IsMatch(name);
    }

    /// <summary>After the table is in force: outside BPF mode, the programs come off and the pins go.</summary>
    public void AfterTable(RenderConfig applied)
    {
        if (applied.WorkloadPolicyInBpf)
        {
            if (_dataplane is not null && _poolsAfterTable is { } pools)
            {
                _dataplane.ApplyPools(pools);
                _poolsAfterTable = null;
            }

            return;
        }

        if (_dataplane is not null)
        {
            _dataplane.Stop(_isWorkloadInterface);
            _dataplane.Dispose();
            _dataplane = null;
            _leftoversChecked = true;
        }
        else if (!_leftoversChecked && _unavailable is null)
        {
            BpfWorkloadDataplane.RemoveLeftovers(_options.Root, _netlink, _isWorkloadInterface, _logger);
            _leftoversChecked = true;
        }
    }

    /// <summary>Fails the apply (after the table took policy) while bpfEnabled asks for a BPF dataplane that is not running.</summary>
    public void ThrowIfUnavailable()
    {
        if (_unavailable is not null)
        {
            throw new InvalidOperationException(_unavailable);
        }
    }

    /// <summary>The BPF dataplane's drift, described (the next apply repairs it), or null.</summary>
    public string? FindDrift()
    {
        MaintainIfDue();
        if (_dataplane?.FindDrift(_isWorkloadInterface) is not { } drift)
        {
            return null;
        }

        _resyncNeeded = true;
        return drift;
    }

    public void Dispose()
    {
        // The programs stay attached and the maps pinned: a stopping or restarting calico-node leaves enforcement in force.
        _dataplane?.Dispose();
        _dataplane = null;
    }

    private long _maintainedAt;

    /// <summary>Upstream's conntrack scan period: idle entries go, and stale rule counters with them.</summary>
    public static readonly TimeSpan MaintenanceInterval = TimeSpan.FromSeconds(10);

    private void MaintainIfDue()
    {
        if (_dataplane is null || (_maintainedAt != 0 && _time.GetElapsedTime(_maintainedAt) < MaintenanceInterval))
        {
            return;
        }

        _maintainedAt = _time.GetTimestamp();
        try
        {
            var (conntrack, counters, nat) = _dataplane.Maintain();
            if (conntrack.Deleted + counters.Deleted + nat.Deleted > 0)
            {
                Log.Maintained(_logger, conntrack.Deleted, conntrack.Scanned, counters.Deleted, nat.Deleted);
            }
        }
        catch (BpfException e)
        {
            Log.MaintenanceFailed(_logger, e.Message);
        }
    }

    private bool TryStart()
    {
        if (_unavailable is not null && _time.GetElapsedTime(_failedAt) < RetryInterval)
        {
            return false;
        }

        try
        {
            string objectPath = _options.ObjectPath ?? BpfObjectFiles.Path(BpfWorkloadDataplane.ObjectName);
            _dataplane = BpfWorkloadDataplane.Start(_options.Root, objectPath, _netlink, _logger);
            _unavailable = null;
            return true;
        }
        catch (Exception e) when (e is BpfException or IOException or InvalidOperationException or UnauthorizedAccessException or ArgumentException)
        {
            _unavailable = "bpfEnabled is true but the eBPF dataplane cannot start, workload policy is enforced by nftables: " + e.Message;
            _failedAt = _time.GetTimestamp();
            Log.StartFailed(_logger, _unavailable);
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2610, Level = LogLevel.Information, Message = "eBPF dataplane {Kind}: {Writes} map writes, {Attached} interfaces attached, {Tables} rule tables, {Sets} IP sets in {Ms:F1} ms")]
        public static partial void Applied(ILogger logger, string kind, int writes, int attached, int tables, int sets, double ms);

        [LoggerMessage(EventId = 2613, Level = LogLevel.Debug, Message = "eBPF dataplane: {Expired} of {Scanned} conntrack entries expired and deleted, {Counters} stale rule counters deleted, {Nat} idle NAT bindings deleted")]
        public static partial void Maintained(ILogger logger, int expired, int scanned, int counters, int nat);

        [LoggerMessage(EventId = 2614, Level = LogLevel.Warning, Message = "eBPF dataplane: conntrack scan failed: {Reason}")]
        public static partial void MaintenanceFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = 2615, Level = LogLevel.Information, Message = "eBPF dataplane: fast paths, pod-traffic notrack and NAT outgoing in BPF off while {Reason}; pod traffic takes the host's stack")]
        public static partial void FastPathsOff(ILogger logger, string reason);

        [LoggerMessage(EventId = 2616, Level = LogLevel.Information, Message = "eBPF dataplane: no host endpoint's policy reaches forwarded traffic any more: fast paths, pod-traffic notrack and NAT outgoing in BPF on again")]
        public static partial void FastPathsOn(ILogger logger);

        [LoggerMessage(EventId = 2611, Level = LogLevel.Error, Message = "{Reason}")]
        public static partial void StartFailed(ILogger logger, string reason);
    }
}
