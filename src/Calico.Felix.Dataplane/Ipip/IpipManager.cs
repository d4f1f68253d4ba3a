using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Calico.Linux.Netlink;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Felix.Dataplane.Ipip;

/// <summary>
/// Keeps IP-in-IP equal to the desired state (upstream <c>ipip_mgr.go</c> with its <c>route_mgr.go</c>): the device
/// <c>tunl0</c> (created as an ipip link if absent, MTU, exactly the tunnel address /32, up) and per remote block a
/// route <c>block via &lt;node IP&gt; dev tunl0 onlink proto 80</c>, or for a CrossSubnet pool's block of a node in
/// the parent's subnet <c>block via &lt;node IP&gt; dev &lt;parent&gt; proto 80</c> (no encapsulation).
/// <see cref="SetDesired"/> (or <see cref="ApplyAsync"/>, the <see cref="IDataplaneManager{TDesired}"/> seam) validates
/// and records (no I/O); <see cref="Apply"/> reads the kernel, diffs, writes only differences, collects refusals.
/// Owns the device's IPv4 addresses, protocol-80 unicast routes through the device, and protocol-80 gateway routes on
/// the parent whose destination lies in an IP-in-IP pool; touches nothing else. The device is never deleted: the
/// kernel's fallback <c>tunl0</c> cannot be, and upstream leaves it. Not thread-safe: one apply loop owns it.
/// </summary>
public sealed partial class IpipManager : IDataplaneManager<IpipOverlay>
{
    /// <summary>The kernel's fallback IP-in-IP device, which upstream uses.</summary>
    public const string DefaultDeviceName = "tunl0";

    /// <summary>Upstream's protocol for Felix routes that are not tied to a workload interface.</summary>
    public const byte RouteProtocol = 80;

    /// <summary>The outer IPv4 header.</summary>
    public const int Overhead = 20;

    private readonly RouteNetlink _netlink;
    private readonly ILogger _logger;
    private IpipOverlay _desired = IpipOverlay.Off;
    private HashSet<IPNetwork> _formerPools = [];
    private int _lastParentIndex;

    /// <param name="netlink">A socket in the namespace to program (the caller owns and disposes it).</param>
    /// <param name="logger">Optional.</param>
    /// <param name="deviceName">The tunnel device; <c>tunl0</c> but for tests on kernels without ipip, which hand in
    /// a stand-in link of another kind that already exists.</param>
    public IpipManager(RouteNetlink netlink, ILogger<IpipManager>? logger = null, string deviceName = DefaultDeviceName)
    {
        ArgumentNullException.ThrowIfNull(netlink);
        ArgumentException.ThrowIfNullOrEmpty(deviceName);
        _netlink = netlink;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        DeviceName = deviceName;
    }

    public string DeviceName { get; }

    /// <summary>What <see cref="ApplyAsync"/> returned last.</summary>
    public IpipSyncResult? LastSync { get; private set; }

    /// <summary>
    /// Records the desired state after checking it: every address IPv4, the MTU 0 or 68-65535, node names present. An
    /// <see cref="ArgumentException"/> names the field and value; nothing is recorded then.
    /// </summary>
    public void SetDesired(IpipOverlay desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(desired.Blocks);
        ArgumentNullException.ThrowIfNull(desired.Pools);
        if (desired.Local is { } local)
        {
            RequireV4(local.NodeAddress, "IpipLocal.NodeAddress");
            if (local.TunnelAddress is not null)
            {
                RequireV4(local.TunnelAddress, "IpipLocal.TunnelAddress");
            }

            if (local.Mtu != 0 && local.Mtu is < 68 or > 65535)
            {
                throw new ArgumentException($"IpipLocal.Mtu {local.Mtu.ToString(CultureInfo.InvariantCulture)} is outside 68-65535 (0 = the parent's MTU - {Overhead})", nameof(desired));
            }
        }

        foreach (IpipBlock block in desired.Blocks)
        {
            ArgumentNullException.ThrowIfNull(block, nameof(desired));
            ArgumentException.ThrowIfNullOrEmpty(block.Node, nameof(desired));
            RequireV4(block.Cidr.BaseAddress, $"IpipBlock({block.Node}).Cidr");
            RequireV4(block.NodeAddress, $"IpipBlock({block.Node}).NodeAddress");
        }

        foreach (IPNetwork pool in desired.Pools)
        {
            RequireV4(pool.BaseAddress, "IpipOverlay.Pools");
        }

        _desired = desired;
    }

    /// <summary>Records <paramref name="desired"/> (validated as <see cref="SetDesired"/>) and reconciles.</summary>
    public Task<DataplaneReport> ApplyAsync(IpipOverlay desired, CancellationToken cancellationToken)
    {
        SetDesired(desired);
        IpipSyncResult result = Apply();
        LastSync = result;
        if (result.Writes == 0 && result.Failures.Count == 0)
        {
            return Task.FromResult(DataplaneReport.Unchanged);
        }

        string device = result.DeviceCreated ? " (device created)" : result.DeviceMissing ? " (device missing)" : string.Empty;
        return Task.FromResult(new DataplaneReport(
            result.Writes,
            result.Failures,
            string.Create(CultureInfo.InvariantCulture, $"{DeviceName}{device}: {result.DeviceUpdates} device changes, {result.RoutesWritten} routes written, {result.RoutesRemoved} removed")));
    }

    private static void RequireV4(IPAddress address, string field)
    {
        ArgumentNullException.ThrowIfNull(address, field);
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"{field} {address} is not IPv4 (IP-in-IP carries IPv4 only)", field);
        }
    }
}
