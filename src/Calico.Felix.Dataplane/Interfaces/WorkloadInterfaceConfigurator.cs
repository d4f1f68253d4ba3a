using Calico.Linux;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Felix.Dataplane.Interfaces;

/// <summary>
/// The /proc/sys settings upstream Felix keeps on every workload interface (endpoint_mgr configureInterface):
/// IPv4 route_localnet=1 (NAT to the host's 127/8), neigh proxy_delay=0, proxy_arp=1 (the host answers for the
/// workload's 169.254.1.1 gateway), forwarding=1, rp_filter; IPv6 accept_ra=0 always (a workload must not steer the
/// host's routes even when IPv6 is off), and when enabled proxy_ndp=1, forwarding=1. The CNI plugin writes the
/// same at creation; Felix re-asserts them so drift is repaired. Every value is read first and written only when it
/// differs, so re-running over a converged host costs reads only. Runs in the calling thread's network namespace.
/// </summary>
public sealed partial class WorkloadInterfaceConfigurator
{
    private const int ErrnoNoEntry = 2;
    private readonly WorkloadInterfaceSettings _settings;
    private readonly ILogger _logger;

    public WorkloadInterfaceConfigurator(WorkloadInterfaceSettings? settings = null, ILogger<WorkloadInterfaceConfigurator>? logger = null)
    {
        _settings = settings ?? new WorkloadInterfaceSettings();
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Applies the settings to <paramref name="ifaceName"/>; a missing interface is reported, not thrown.</summary>
    public InterfaceConfigResult Configure(string ifaceName, bool allowSourceSpoofing = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(ifaceName);
        if (ifaceName.Length > 15 || ifaceName.Contains('/', StringComparison.Ordinal) || ifaceName is "." or "..")
        {
            throw new ArgumentException($"'{ifaceName}' is not a valid interface name", nameof(ifaceName));
        }

        int writes = 0;
        try
        {
            // First, because it is the one upstream writes even with IPv6 off; its absence means no interface.
            if (!TryEnsureIfPresent($"net/ipv6/conf/{ifaceName}/accept_ra", "0", ref writes)
                && !Directory.Exists($"/proc/sys/net/ipv4/conf/{ifaceName}"))
            {
                return new InterfaceConfigResult(false, writes);
            }

            if (_settings.IPv4Enabled)
            {
                Ensure($"net/ipv4/conf/{ifaceName}/route_localnet", "1", ref writes);
                Ensure($"net/ipv4/neigh/{ifaceName}/proxy_delay", "0", ref writes);
                Ensure($"net/ipv4/conf/{ifaceName}/proxy_arp", "1", ref writes);
                Ensure($"net/ipv4/conf/{ifaceName}/forwarding", "1", ref writes);
                Ensure($"net/ipv4/conf/{ifaceName}/rp_filter", allowSourceSpoofing ? "0" : _settings.DefaultRpFilter, ref writes);
            }

            if (_settings.IPv6Enabled)
            {
                Ensure($"net/ipv6/conf/{ifaceName}/proxy_ndp", "1", ref writes);
                Ensure($"net/ipv6/conf/{ifaceName}/forwarding", "1", ref writes);
            }
        }
        catch (NetlinkException ex) when (ex.Errno == ErrnoNoEntry)
        {
            // Deleted while we were writing: the next pass sees it gone (or re-created) and acts on that.
            return new InterfaceConfigResult(false, writes);
        }

        if (writes > 0)
        {
            Log.InterfaceConfigured(_logger, ifaceName, writes);
        }

        return new InterfaceConfigResult(true, writes);
    }

    /// <summary>Host-wide forwarding (ip_forward=1; IPv6 all/forwarding=1 when enabled); returns how many it wrote.</summary>
    public int EnsureHostSysctls()
    {
        int writes = 0;
        if (_settings.IPv4Enabled)
        {
            Ensure("net/ipv4/ip_forward", "1", ref writes);
        }

        if (_settings.IPv6Enabled)
        {
            Ensure("net/ipv6/conf/all/forwarding", "1", ref writes);
        }

        return writes;
    }

    private static void Ensure(string key, string value, ref int writes)
    {
        if (Sysctl.Ensure(key, value))
        {
            writes++;
        }
    }

    /// <summary>False when the key does not exist (no such interface, or IPv6 compiled out / disabled).</summary>
    private static bool TryEnsureIfPresent(string key, string value, ref int writes)
    {
        if (!Sysctl.TryRead(key, out string? current, out int errno))
        {
            return errno == ErrnoNoEntry ? false : throw new NetlinkException($"sysctl {key.Replace('/', '.')}: errno {errno}", errno);
        }

        if (!string.Equals(current, value, StringComparison.Ordinal))
        {
            Sysctl.Write(key, value);
            writes++;
        }

        return true;
    }
}
