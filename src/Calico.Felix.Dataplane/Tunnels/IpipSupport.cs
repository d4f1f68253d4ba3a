using Calico.Linux;
using Calico.Linux.Netlink;

namespace Calico.Felix.Dataplane.Tunnels;

/// <summary>
/// Finds out whether the kernel can do IP-in-IP, without touching any namespace in use: /sys/module/ipip exists when the
/// module is loaded or built in; otherwise an ipip link is created in a throwaway namespace, which makes the kernel
/// try to load the module (request_module runs modprobe). Some kernels (this project's CI among them) have no ipip at
/// all; calico-node then reports the reason instead of failing silently when an IPIP pool is configured.
/// </summary>
public static class IpipSupport
{
    private const string ProbeLinkName = "tunl-probe";

    /// <summary>Never throws for an unsupported kernel: the answer is a value (cancellation still throws).</summary>
    public static async Task<TunnelSupport> CheckAsync(CancellationToken cancellationToken = default)
    {
        if (Directory.Exists("/sys/module/ipip"))
        {
            return new TunnelSupport(true, "the ipip module is loaded (/sys/module/ipip)");
        }

        try
        {
            return await NetworkNamespace.RunInThrowawayAsync(ProbeInCurrentNamespace, cancellationToken).ConfigureAwait(false);
        }
        catch (NetlinkException ex)
        {
            // unshare or the socket failed (no CAP_SYS_ADMIN): the kernel was not asked, so say so.
            return new TunnelSupport(false, "could not probe for IP-in-IP support: " + ex.Message);
        }
    }

    /// <summary>Creates and deletes an ipip link in the calling thread's namespace; the kernel's refusal becomes the reason.</summary>
    internal static TunnelSupport ProbeInCurrentNamespace()
    {
        using RouteNetlink netlink = RouteNetlink.Open();
        try
        {
            netlink.CreateLink(ProbeLinkName, "ipip");
        }
        catch (NetlinkException ex) when (ex.Errno == ErrnoNotSupported)
        {
            return new TunnelSupport(false, $"the kernel has no ipip module (modprobe ipip failed: {ex.Message})");
        }
        catch (NetlinkException ex)
        {
            return new TunnelSupport(false, "the kernel refused an ipip link: " + ex.Message);
        }

        _ = netlink.TryDeleteLink(ProbeLinkName);
        return new TunnelSupport(true, "the kernel created an ipip link (module loaded on demand)");
    }

    private const int ErrnoNotSupported = 95;
}
