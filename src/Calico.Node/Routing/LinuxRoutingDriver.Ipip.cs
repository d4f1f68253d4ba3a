using Calico.Felix.Dataplane.Ipip;
using Calico.Linux.Kernel;
using Calico.Linux.Netlink;
using Microsoft.Extensions.Logging;

namespace Calico.Node.Routing;

/// <summary>
/// IP-in-IP beside VXLAN: the tunnel address (datastore), then <c>tunl0</c> and the routes of other nodes' blocks in
/// IP-in-IP pools through <see cref="IpipManager"/>. Runs after BGP and VXLAN, so a kernel without ipip never holds
/// them up. On such a kernel (the capability probe says so) the device is not even tried: the pool is reported by
/// <see cref="Kernel.KernelCapabilityReport"/> on /readiness, the metric and the log, and native CrossSubnet routes
/// (which need no tunnel) are still programmed. On a kernel with ipip, a refusal fails the apply (retried, reported).
/// </summary>
internal sealed partial class LinuxRoutingDriver
{
    private IpipManager? _ipip;
    private bool _ipipSkipLogged;

    /// <summary>FelixConfiguration <c>ipipEnabled</c> at start: null = IP-in-IP follows the pools (upstream's default).</summary>
    public bool? IpipEnabled { get; init; }

    /// <summary>The tunnel device; <c>tunl0</c> but for tests on kernels without ipip.</summary>
    internal string IpipDeviceName { get; init; } = IpipManager.DefaultDeviceName;

    private async Task ApplyIpipAsync(RoutingState state, CancellationToken cancellationToken)
    {
        await tunnels.EnsureIpipAsync(state, cancellationToken).ConfigureAwait(false);
        IpipOverlay overlay = IpipPlanner.Overlay(state, IpipEnabled, IpipMtu);
        if (overlay.Local is null && _ipip is null)
        {
            return;
        }

        _netlink ??= RouteNetlink.Open();
        _ipip ??= new IpipManager(_netlink, loggerFactory.CreateLogger<IpipManager>(), IpipDeviceName);
        IpipSyncResult result = await ApplyIpipOverlayAsync(overlay, cancellationToken).ConfigureAwait(false);
        if (result.Failures.Count > 0 && !KernelLacksIpip(result))
        {
            throw new InvalidOperationException("IP-in-IP: " + string.Join("; ", result.Failures));
        }
    }

    private async Task<IpipSyncResult> ApplyIpipOverlayAsync(IpipOverlay overlay, CancellationToken cancellationToken)
    {
        await _ipip!.ApplyAsync(overlay, cancellationToken).ConfigureAwait(false);
        return _ipip.LastSync!;
    }

    /// <summary>
    /// True when the only trouble is the missing device on a kernel the probe found without ipip: reported by the
    /// kernel-capabilities check (once in the log here), not as a routing failure on every retry.
    /// </summary>
    private bool KernelLacksIpip(IpipSyncResult result)
    {
        if (kernel is null || !kernel.Lacks(KernelFeatures.Ipip) || !result.DeviceMissing || result.Failures.Count != 1)
        {
            return false;
        }

        if (!_ipipSkipLogged)
        {
            _ipipSkipLogged = true;
            IpipDriverLog.NoIpip(_logger, IpipDeviceName, result.Failures[0]);
        }

        return true;
    }

    private string? RefreshIpip()
    {
        if (_ipip is null)
        {
            return null;
        }

        IpipSyncResult result = _ipip.Apply();
        return result.Writes > 0 ? $"ipip: {result.Writes} changes rewritten" : null;
    }
}
