using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Calico.Linux.Interop;
using Calico.Linux.Netlink;

namespace Calico.Linux;

/// <summary>The synchronous steps, run on a dedicated thread that may enter the host and container namespaces.</summary>
public static partial class WorkloadInterfaces
{
    /// <summary>Upstream's host-side MAC; the host side's IPv6 link-local follows from it (EUI-64).</summary>
    private static readonly byte[] HostSideMac = [0xee, 0xee, 0xee, 0xee, 0xee, 0xee];
    private static readonly IPAddress HostSideLinkLocal = IPAddress.Parse("fe80::ecee:eeff:feee:eeee");
    private static readonly IPAddress GatewayV4 = new([169, 254, 1, 1]);
    private const string HostSideMacText = "ee:ee:ee:ee:ee:ee";

    private static WorkloadInterfaceResult SetUp(NamespaceHandle host, WorkloadInterfaceSpec spec, CancellationToken cancellationToken)
    {
        host.EnterOnCurrentThread();
        using NamespaceHandle container = NamespaceHandle.Open(spec.NetnsPath);
        using RouteNetlink hostLinks = RouteNetlink.Open();
        using RouteNetlink containerLinks = OpenIn(container, host);

        // A stale host side (an earlier ADD that was never deleted) would make the create fail; upstream deletes it.
        hostLinks.TryDeleteLink(spec.HostIfName);
        bool created = false;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            // One request creates both ends, named, with the container end already in its namespace: nothing to
            // move or rename, and no window where a half-made pair is visible under a temporary name.
            hostLinks.CreateVeth(new VethSpec(spec.HostIfName, spec.ContainerIfName) { Mtu = spec.Mtu, Mac = HostSideMac }, container);
            created = true;
            LinkInfo hostLink = hostLinks.GetLink(spec.HostIfName)
                ?? throw new NetlinkException($"RTM_GETLINK {spec.HostIfName}: vanished right after creation", Errno.ENODEV);
            if (!string.Equals(hostLink.Mac, HostSideMacText, StringComparison.Ordinal))
            {
                // A MAC given at creation is marked "set" so udev leaves it alone; this covers kernels that ignore it.
                hostLinks.SetLinkMac(hostLink.Index, HostSideMac);
            }

            ConfigureHostSysctls(spec);
            cancellationToken.ThrowIfCancellationRequested();
            hostLinks.SetLinkUp(hostLink.Index, up: true);

            LinkInfo loopback = containerLinks.GetLink("lo")
                ?? throw new NetlinkException($"RTM_GETLINK lo in netns {spec.NetnsPath}: no loopback", Errno.ENODEV);
            if (!loopback.IsUp)
            {
                containerLinks.SetLinkUp(loopback.Index, up: true);
            }

            LinkInfo containerLink = containerLinks.GetLink(spec.ContainerIfName)
                ?? throw new NetlinkException($"RTM_GETLINK {spec.ContainerIfName} in netns {spec.NetnsPath}: vanished right after creation", Errno.ENODEV);
            containerLinks.SetLinkUp(containerLink.Index, up: true);
            cancellationToken.ThrowIfCancellationRequested();

            if (spec.IPv4.Count > 0)
            {
                containerLinks.AddRoute(new RouteSpec(new IPNetwork(GatewayV4, 32), containerLink.Index) { Scope = Rtnl.RT_SCOPE_LINK });
                containerLinks.AddRoute(new RouteSpec(new IPNetwork(IPAddress.Any, 0), containerLink.Index) { Gateway = GatewayV4 });
            }

            if (spec.IPv6.Count > 0)
            {
                containerLinks.AddRoute(new RouteSpec(new IPNetwork(IPAddress.IPv6Any, 0), containerLink.Index) { Gateway = HostSideLinkLocal });
            }

            foreach (IPNetwork network in spec.IPv4)
            {
                containerLinks.AddAddress(containerLink.Index, network.BaseAddress, 32);
            }

            foreach (IPNetwork network in spec.IPv6)
            {
                // NODAD: a point-to-point link has nobody to collide with, and DAD would hold the address for a second.
                containerLinks.AddAddress(containerLink.Index, network.BaseAddress, 128, noDad: true);
            }

            cancellationToken.ThrowIfCancellationRequested();
            foreach (IPNetwork network in spec.IPv4)
            {
                AddHostRoute(hostLinks, hostLink, new IPNetwork(network.BaseAddress, 32));
            }

            foreach (IPNetwork network in spec.IPv6)
            {
                AddHostRoute(hostLinks, hostLink, new IPNetwork(network.BaseAddress, 128));
            }

            return new WorkloadInterfaceResult(spec.HostIfName, HostSideMacText, spec.ContainerIfName, containerLink.Mac ?? string.Empty, containerLink.Index);
        }
        catch (Exception failure) when (created)
        {
            // Deleting the host end deletes the peer in the container and every route through either end.
            try
            {
                hostLinks.TryDeleteLink(spec.HostIfName);
            }
            catch (NetlinkException cleanup)
            {
                throw new AggregateException($"set-up of {spec.HostIfName} failed and so did removing it", failure, cleanup);
            }

            throw;
        }
    }

    private static void TearDown(NamespaceHandle host, string? netnsPath, string containerIfName, string hostIfName)
    {
        host.EnterOnCurrentThread();
        using RouteNetlink hostLinks = RouteNetlink.Open();
        if (!string.IsNullOrEmpty(netnsPath))
        {
            if (NamespaceHandle.TryOpen(netnsPath, out NamespaceHandle? container, out int errno))
            {
                using (container)
                using (RouteNetlink containerLinks = OpenIn(container, host))
                {
                    containerLinks.TryDeleteLink(containerIfName);
                }
            }
            else if (errno != Errno.ENOENT)
            {
                throw new NetlinkException($"open netns {netnsPath}: {Errno.Describe(errno)}", errno);
            }
        }

        // Usually gone with its peer already; still there when the netns went first (its end moved back or died).
        hostLinks.TryDeleteLink(hostIfName);
    }

    private static bool Check(NamespaceHandle host, WorkloadInterfaceSpec spec)
    {
        host.EnterOnCurrentThread();
        using RouteNetlink hostLinks = RouteNetlink.Open();
        if (hostLinks.GetLink(spec.HostIfName) is null)
        {
            return false;
        }

        if (!NamespaceHandle.TryOpen(spec.NetnsPath, out NamespaceHandle? container, out int errno))
        {
            return errno == Errno.ENOENT ? false : throw new NetlinkException($"open netns {spec.NetnsPath}: {Errno.Describe(errno)}", errno);
        }

        using (container)
        using (RouteNetlink containerLinks = OpenIn(container, host))
        {
            LinkInfo? link = containerLinks.GetLink(spec.ContainerIfName);
            if (link is null)
            {
                return false;
            }

            var expected = new HashSet<IPAddress>();
            foreach (IPNetwork network in spec.IPv4)
            {
                expected.Add(network.BaseAddress);
            }

            foreach (IPNetwork network in spec.IPv6)
            {
                expected.Add(network.BaseAddress);
            }

            var actual = new HashSet<IPAddress>();
            foreach (AddressInfo address in containerLinks.ListAddresses())
            {
                if (address.InterfaceIndex == link.Index && address.Scope == Rtnl.RT_SCOPE_UNIVERSE)
                {
                    actual.Add(address.Address);
                }
            }

            return actual.SetEquals(expected);
        }
    }

    /// <summary>
    /// <c>ip/32 dev host scope link</c>. EEXIST through this same interface is fine (Felix may have been first);
    /// through any other interface it is a conflict that names the other interface.
    /// </summary>
    private static void AddHostRoute(RouteNetlink hostLinks, LinkInfo hostLink, IPNetwork destination)
    {
        var route = new RouteSpec(destination, hostLink.Index) { Scope = Rtnl.RT_SCOPE_LINK };
        if (hostLinks.TryAddRoute(route))
        {
            return;
        }

        AddressFamily family = destination.BaseAddress.AddressFamily;
        string other = "another route";
        foreach (RouteInfo existing in hostLinks.ListRoutes(family))
        {
            if (existing.Table != Rtnl.RT_TABLE_MAIN || !existing.Destination.Equals(destination))
            {
                continue;
            }

            if (existing.OutInterfaceIndex == hostLink.Index)
            {
                return;
            }

            other = existing.OutInterfaceIndex == 0
                ? "a route of type " + existing.Type.ToString(CultureInfo.InvariantCulture)
                : "dev " + (hostLinks.GetLink(existing.OutInterfaceIndex)?.Name ?? "ifindex " + existing.OutInterfaceIndex.ToString(CultureInfo.InvariantCulture));
        }

        throw new NetlinkException(
            $"RTM_NEWROUTE {destination} dev {hostLink.Name} scope link: {Errno.Describe(Errno.EEXIST)}: already routed via {other}",
            Errno.EEXIST);
    }

    /// <summary>Host-side sysctls as upstream's CNI sets them; the thread is in the host namespace.</summary>
    private static void ConfigureHostSysctls(WorkloadInterfaceSpec spec)
    {
        string name = spec.HostIfName;
        if (spec.IPv4.Count > 0)
        {
            Sysctl.Write($"net/ipv4/conf/{name}/route_localnet", "1");
            Sysctl.Write($"net/ipv4/neigh/{name}/proxy_delay", "0");
            Sysctl.Write($"net/ipv4/conf/{name}/proxy_arp", "1");
            Sysctl.Write($"net/ipv4/conf/{name}/forwarding", "1");
        }

        if (spec.IPv6.Count > 0)
        {
            // Before the link goes up: the link-local must not sit tentative in DAD, and must exist at all.
            Sysctl.Write($"net/ipv6/conf/{name}/accept_dad", "0");
            Sysctl.Write($"net/ipv6/conf/{name}/disable_ipv6", "0");
            Sysctl.Write($"net/ipv6/conf/{name}/proxy_ndp", "1");
            Sysctl.Write($"net/ipv6/conf/{name}/forwarding", "1");
        }

        // Absent when the host has IPv6 disabled entirely (ipv6.disable=1); upstream only warns then.
        if (Directory.Exists("/proc/sys/net/ipv6/conf/" + name))
        {
            Sysctl.Write($"net/ipv6/conf/{name}/accept_ra", "0");
        }
    }

    /// <summary>Opens a socket inside <paramref name="target"/> and returns the thread to <paramref name="back"/>.</summary>
    private static RouteNetlink OpenIn(NamespaceHandle target, NamespaceHandle back)
    {
        target.EnterOnCurrentThread();
        try
        {
            return RouteNetlink.Open();
        }
        finally
        {
            back.EnterOnCurrentThread();
        }
    }

    private static void Validate(WorkloadInterfaceSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrEmpty(spec.NetnsPath, nameof(spec.NetnsPath));
        ValidateInterfaceName(spec.ContainerIfName, nameof(spec.ContainerIfName));
        ValidateInterfaceName(spec.HostIfName, nameof(spec.HostIfName));
        if (spec.Mtu < 0 || (spec.Mtu > 0 && spec.Mtu < 68) || spec.Mtu > 65535)
        {
            throw new ArgumentException($"Mtu {spec.Mtu.ToString(CultureInfo.InvariantCulture)} is outside 68..65535 (0 = kernel default)", nameof(spec));
        }

        foreach (IPNetwork network in spec.IPv4)
        {
            if (network.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
            {
                throw new ArgumentException($"IPv4 holds {network}, which is not IPv4", nameof(spec));
            }
        }

        foreach (IPNetwork network in spec.IPv6)
        {
            if (network.BaseAddress.AddressFamily != AddressFamily.InterNetworkV6)
            {
                throw new ArgumentException($"IPv6 holds {network}, which is not IPv6", nameof(spec));
            }
        }
    }

    private static void ValidateInterfaceName(string name, string field)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 15 || name.Contains('/', StringComparison.Ordinal)
            || name.Contains(' ', StringComparison.Ordinal) || name.Contains(':', StringComparison.Ordinal) || name is "." or "..")
        {
            throw new ArgumentException($"{field} '{name}' is not a valid interface name (1 to 15 characters, no '/', ':' or spaces)", field);
        }
    }
}
