using System.Globalization;
using Calico.Api;
using Calico.Linux.Netlink;
using Microsoft.Extensions.Logging;

namespace Calico.Node.Routing;

/// <summary>
/// Keeps <c>&lt;state-dir&gt;/mtu</c> and the tunnel devices' MTUs (<see cref="Current"/>) in line with the host's
/// interfaces, the pools' encapsulation and FelixConfiguration. Called at start (before Felix's loop, so the file
/// exists once calico-node is ready, as upstream writes it before its dataplane starts), on every routing apply
/// (pools changed) and on every routing refresh (an interface's MTU or a FelixConfiguration override changed).
/// The file is rewritten only when its value changes; workloads that exist keep their MTU (a veth's MTU is set at
/// ADD), so a change is logged as a warning saying what the existing workload interfaces have.
/// </summary>
internal sealed partial class MtuManager(string stateDir, Func<IReadOnlyList<HostLink>> listLinks, ILogger logger)
{
    private const uint IffRunning = 0x40;
    private MtuSettings _settings = MtuSettings.Default;

    /// <summary>The latest plan; null before the first <see cref="Update"/>.</summary>
    public MtuPlan? Current { get; private set; }

    public string FilePath => MtuFile.PathIn(stateDir);

    /// <summary>The host's interfaces from rtnetlink (calico-node's own namespace).</summary>
    public static IReadOnlyList<HostLink> ReadHostLinks()
    {
        using RouteNetlink netlink = RouteNetlink.Open();
        return netlink.ListLinks().Select(l => new HostLink(l.Name, l.Mtu, (l.Flags & IffRunning) != 0)).ToList();
    }

    /// <summary>FelixConfiguration as of now (any thread: the agent's loop sets it, the routing loop reads it).</summary>
    public void SetSettings(MtuSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Volatile.Write(ref _settings, settings);
    }

    /// <summary>
    /// Recomputes from the host's interfaces and <paramref name="pools"/>, writes the mtu file when its value differs,
    /// and returns whether the plan (tunnel MTUs included) changed. A failed write throws when <c>requireMTUFile</c> is
    /// true, as upstream's Felix refuses to run without the file; otherwise it is logged and retried on the next call.
    /// </summary>
    public bool Update(IEnumerable<IPPool> pools)
    {
        MtuSettings settings = Volatile.Read(ref _settings);
        IReadOnlyList<HostLink> links = listLinks();
        MtuPlan plan = MtuCalculator.Plan(links, MtuEncapsulations.From(pools), settings);
        bool changed = plan != Current;
        if (changed)
        {
            LogPlan(plan);
        }

        Current = plan;
        WriteFile(plan.Pod, links, settings);
        return changed;
    }

    private void LogPlan(MtuPlan plan)
    {
        if (plan.HostInterface is null)
        {
            Log.NoInterfaceMatched(logger, MtuCalculator.FallbackHostMtu);
        }

        if (plan.PodAboveHost)
        {
            Log.AboveHost(logger, plan.Pod, plan.HostMtu);
        }

        Log.Determined(logger, plan.Pod, plan.HostMtu, plan.HostInterface ?? "none matched", plan.Encapsulations.ToString(), plan.Vxlan, plan.VxlanV6, plan.Ipip);
    }

    private void WriteFile(int mtu, IReadOnlyList<HostLink> links, MtuSettings settings)
    {
        string path = FilePath;
        int? previous = MtuFile.TryRead(path);
        if (previous == mtu)
        {
            return;
        }

        try
        {
            MtuFile.Write(path, mtu);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (settings.RequireMtuFile)
            {
                throw new InvalidOperationException($"requireMTUFile is true and the MTU file {path} could not be written: {e.Message}", e);
            }

            Log.WriteFailed(logger, path, e.Message);
            return;
        }

        if (previous is { } old)
        {
            Log.Changed(logger, old, mtu, path, ExistingWorkloads(links, settings.WorkloadPrefixes));
        }
        else
        {
            Log.Written(logger, mtu, path);
        }
    }

    /// <summary>"2 at 1450, 1 at 1500", or "none": the MTUs of this host's workload interfaces (the veths' host ends).</summary>
    internal static string ExistingWorkloads(IReadOnlyList<HostLink> links, IReadOnlyList<string> prefixes)
    {
        var counts = new SortedDictionary<int, int>();
        foreach (HostLink link in links)
        {
            if (prefixes.Any(p => p.Length > 0 && link.Name.StartsWith(p, StringComparison.Ordinal)))
            {
                counts[link.Mtu] = counts.GetValueOrDefault(link.Mtu) + 1;
            }
        }

        return counts.Count == 0
            ? "none"
            : string.Join(", ", counts.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Value} at {kv.Key}")));
    }

    private static partial class Log
    {
        [LoggerMessage(150, LogLevel.Information, "Determined workload MTU {Mtu}: host MTU {HostMtu} ({Interface}), encapsulation {Encapsulation}; tunnel MTUs vxlan.calico {Vxlan}, vxlan-v6.calico {Vxlan6}, tunl0 {Ipip}")]
        public static partial void Determined(ILogger logger, int mtu, int hostMtu, string @interface, string encapsulation, int vxlan, int vxlan6, int ipip);

        [LoggerMessage(151, LogLevel.Warning, "No up interface matches mtuIfacePattern: host MTU defaults to {Mtu}; set mtuIfacePattern to match this host's interfaces")]
        public static partial void NoInterfaceMatched(ILogger logger, int mtu);

        [LoggerMessage(152, LogLevel.Warning, "Configured workload MTU {Mtu} is larger than the host interface MTU {HostMtu}")]
        public static partial void AboveHost(ILogger logger, int mtu, int hostMtu);

        [LoggerMessage(153, LogLevel.Information, "Wrote workload MTU {Mtu} to {Path}")]
        public static partial void Written(ILogger logger, int mtu, string path);

        [LoggerMessage(154, LogLevel.Warning, "Workload MTU changed from {Old} to {New} ({Path}): new workloads get the new value; existing workloads keep the MTU they were created with until they are recreated (workload interfaces now: {Existing})")]
        public static partial void Changed(ILogger logger, int old, int @new, string path, string existing);

        [LoggerMessage(155, LogLevel.Error, "Could not write the MTU file {Path} (requireMTUFile is false, so calico-node goes on; workloads may get the wrong MTU): {Reason}")]
        public static partial void WriteFailed(ILogger logger, string path, string reason);
    }
}
