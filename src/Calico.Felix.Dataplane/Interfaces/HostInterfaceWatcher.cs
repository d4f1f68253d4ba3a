using System.Net;
using Calico.Felix.Agent;
using Calico.Linux;
using Calico.Linux.Netlink;
using Microsoft.Extensions.Logging;

namespace Calico.Felix.Dataplane.Interfaces;

/// <summary>
/// Learns the host's interfaces and their addresses (outside the workload prefixes) and reports each change, so
/// host endpoints found by address follow an address that moves, goes or comes back. On its own thread: subscribed
/// to the kernel's link and address notifications first, then one dump of links and addresses; after each
/// notification it waits a moment (a burst, such as an address moved in two steps, is read once), reads again and
/// reports when the result differs. A read every <see cref="SafetyInterval"/> even without notifications; a failed
/// read is logged and retried after a second.
/// </summary>
internal sealed partial class HostInterfaceWatcher : IDisposable
{
    /// <summary>How long a burst of notifications is left to settle before the read.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(100);

    /// <summary>A read even without any notification.</summary>
    public static readonly TimeSpan SafetyInterval = TimeSpan.FromSeconds(30);

    private readonly Action<HostInterfaces> _report;
    private readonly string[] _workloadPrefixes;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    private HostInterfaceWatcher(Action<HostInterfaces> report, IReadOnlyList<string> workloadPrefixes, ILogger logger)
    {
        _report = report;
        _workloadPrefixes = [.. workloadPrefixes];
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "host-interfaces" };
    }

    /// <summary>Starts watching the calling process's network namespace; <paramref name="report"/> is called on the watcher's thread.</summary>
    public static HostInterfaceWatcher Start(Action<HostInterfaces> report, IReadOnlyList<string> workloadPrefixes, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(workloadPrefixes);
        ArgumentNullException.ThrowIfNull(logger);
        var watcher = new HostInterfaceWatcher(report, workloadPrefixes, logger);
        watcher._thread.Start();
        return watcher;
    }

    /// <summary>One read of the host's interfaces (outside <paramref name="workloadPrefixes"/>) and their addresses.</summary>
    public static HostInterfaces Read(RouteNetlink netlink, IReadOnlyList<string> workloadPrefixes)
    {
        ArgumentNullException.ThrowIfNull(netlink);
        var names = new Dictionary<int, string>();
        foreach (LinkInfo link in netlink.ListLinks())
        {
            if (!workloadPrefixes.Any(p => link.Name.StartsWith(p, StringComparison.Ordinal)))
            {
                names[link.Index] = link.Name;
            }
        }

        var byName = names.Values.ToDictionary(n => n, _ => new List<IPAddress>(), StringComparer.Ordinal);
        foreach (AddressInfo address in netlink.ListAddresses())
        {
            if (names.TryGetValue(address.InterfaceIndex, out string? name))
            {
                byName[name].Add(address.Address);
            }
        }

        return new HostInterfaces(byName.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<IPAddress>)kv.Value, StringComparer.Ordinal));
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join(TimeSpan.FromSeconds(2)); // a wait for notifications ends within a second
        _stop.Dispose();
    }

    private void Run()
    {
        HostInterfaces? last = null;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using InterfaceChangeEvents events = InterfaceChangeEvents.Open();
                using RouteNetlink netlink = RouteNetlink.Open();
                DateTime nextRead = DateTime.MinValue;
                bool changed = true;
                while (!_stop.IsCancellationRequested)
                {
                    if (changed || DateTime.UtcNow >= nextRead)
                    {
                        HostInterfaces now = Read(netlink, _workloadPrefixes);
                        nextRead = DateTime.UtcNow + SafetyInterval;
                        if (!now.SameAs(last))
                        {
                            last = now;
                            Log.Read(_logger, now);
                            _report(now);
                        }
                    }

                    // A short wait, so Dispose is seen within a second.
                    changed = events.WaitForChange(TimeSpan.FromSeconds(1));
                    if (changed)
                    {
                        _stop.Token.WaitHandle.WaitOne(Settle);
                        _ = events.WaitForChange(TimeSpan.FromMilliseconds(1)); // what the burst queued meanwhile
                    }
                }
            }
            catch (NetlinkException e)
            {
                Log.Failed(_logger, e.Message);
                _stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2210, Level = LogLevel.Debug, Message = "Host interfaces: {Interfaces}")]
        public static partial void Read(ILogger logger, HostInterfaces interfaces);

        [LoggerMessage(EventId = 2211, Level = LogLevel.Warning, Message = "Reading the host's interfaces failed (retried in 1 s): {Reason}")]
        public static partial void Failed(ILogger logger, string reason);
    }
}
