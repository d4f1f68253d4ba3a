using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Calico.Linux.Interop;

namespace Calico.Linux.Netlink;

/// <summary>
/// rtnetlink operations on one NETLINK_ROUTE socket, in the namespace the socket was opened in. Calls are
/// synchronous syscalls (microseconds); failures throw <see cref="NetlinkException"/> naming the request and the
/// object, expected outcomes (absent, already there) are return values of the Try methods. Not thread-safe.
/// </summary>
public sealed partial class RouteNetlink : IDisposable
{
    private const int RequestBufferLength = 512;
    private readonly NetlinkSocket _socket;

    /// <summary>
    /// Every request is built here, one at a time, and sent before the next is begun (a failure's description may
    /// look a link up, reusing the buffer, only after the failed request went out).
    /// </summary>
    private readonly NetlinkWriter _writer = new(NetlinkProtocol.Route, RequestBufferLength);

    private RouteNetlink(NetlinkSocket socket) => _socket = socket;

    /// <summary>Opens a socket in the calling thread's network namespace.</summary>
    public static RouteNetlink Open() => new(NetlinkSocket.Open(NetlinkProtocol.Route));

    /// <summary>Opens a socket inside the namespace at <paramref name="netnsPath"/> (from a dedicated thread).</summary>
    public static async Task<RouteNetlink> OpenInAsync(string netnsPath, CancellationToken cancellationToken) =>
        new(await NetlinkSocket.OpenInAsync(NetlinkProtocol.Route, netnsPath, cancellationToken));

    public void Dispose() => _socket.Dispose();

    /// <summary>Creates a veth pair (RTM_NEWLINK, NLM_F_EXCL) with both names, MACs, MTU and namespaces in one request.</summary>
    public void CreateVeth(VethSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        NamespaceHandle? peerNamespace = spec.PeerNetnsPath is null ? null : NamespaceHandle.Open(spec.PeerNetnsPath);
        using (peerNamespace)
        {
            CreateVeth(spec, peerNamespace);
        }
    }

    internal void CreateVeth(VethSpec spec, NamespaceHandle? peerNamespace)
    {
        ValidateName(spec.Name);
        ValidateName(spec.PeerName);
        NetlinkWriter writer = BeginRequest();
        writer.BeginMessage(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL, _socket.NextSequence());
        writer.WriteIfInfoMsg(Rtnl.AF_UNSPEC, 0, 0, 0);
        writer.PutString(Rtnl.IFLA_IFNAME, spec.Name);
        PutLinkOptions(writer, spec.Mac, spec.Mtu);
        int linkInfo = writer.BeginNested(Rtnl.IFLA_LINKINFO);
        writer.PutString(Rtnl.IFLA_INFO_KIND, "veth");
        int infoData = writer.BeginNested(Rtnl.IFLA_INFO_DATA);
        int peer = writer.BeginNested(Rtnl.VETH_INFO_PEER);
        writer.WriteIfInfoMsg(Rtnl.AF_UNSPEC, 0, 0, 0);
        writer.PutString(Rtnl.IFLA_IFNAME, spec.PeerName);
        PutLinkOptions(writer, spec.PeerMac, spec.Mtu);
        if (peerNamespace is not null)
        {
            writer.PutInt32(Rtnl.IFLA_NET_NS_FD, peerNamespace.Fd);
        }

        writer.EndNested(peer);
        writer.EndNested(infoData);
        writer.EndNested(linkInfo);
        writer.EndMessage();
        string where = peerNamespace is null ? string.Empty : " in netns " + peerNamespace.Path;
        _socket.Execute(writer.Written, $"RTM_NEWLINK veth {spec.Name} (peer {spec.PeerName}{where})");
    }

    /// <summary>Sets the link up or down (RTM_SETLINK IFF_UP).</summary>
    public void SetLinkUp(int index, bool up)
    {
        NetlinkWriter writer = BeginSetLink(index, up ? Rtnl.IFF_UP : 0, Rtnl.IFF_UP);
        writer.EndMessage();
        ExecuteOnLink(writer.Written, index, up ? "up" : "down");
    }

    public void SetLinkMac(int index, ReadOnlySpan<byte> mac)
    {
        if (mac.Length != 6)
        {
            throw new ArgumentException("a MAC address has 6 bytes", nameof(mac));
        }

        NetlinkWriter writer = BeginSetLink(index, 0, 0);
        writer.PutAttribute(Rtnl.IFLA_ADDRESS, mac);
        writer.EndMessage();
        ExecuteOnLink(writer.Written, index, "address " + FormatMac(mac));
    }

    public void SetLinkMtu(int index, int mtu)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(mtu);
        NetlinkWriter writer = BeginSetLink(index, 0, 0);
        writer.PutInt32(Rtnl.IFLA_MTU, mtu);
        writer.EndMessage();
        ExecuteOnLink(writer.Written, index, "mtu " + mtu.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Renames a link (the kernel refuses while it is up for most kinds: EBUSY).</summary>
    public void RenameLink(int index, string newName)
    {
        ValidateName(newName);
        NetlinkWriter writer = BeginSetLink(index, 0, 0);
        writer.PutString(Rtnl.IFLA_IFNAME, newName);
        writer.EndMessage();
        ExecuteOnLink(writer.Written, index, "name " + newName);
    }

    /// <summary>Moves a link into the namespace at <paramref name="netnsPath"/> (IFLA_NET_NS_FD).</summary>
    public void MoveLinkToNamespace(int index, string netnsPath)
    {
        using NamespaceHandle target = NamespaceHandle.Open(netnsPath);
        NetlinkWriter writer = BeginSetLink(index, 0, 0);
        writer.PutInt32(Rtnl.IFLA_NET_NS_FD, target.Fd);
        writer.EndMessage();
        ExecuteOnLink(writer.Written, index, "netns " + netnsPath);
    }

    public void DeleteLink(int index)
    {
        NetlinkWriter writer = BeginRequest();
        writer.BeginMessage(Rtnl.RTM_DELLINK, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK, _socket.NextSequence());
        writer.WriteIfInfoMsg(Rtnl.AF_UNSPEC, index, 0, 0);
        writer.EndMessage();
        int errno = _socket.TryExecute(writer.Written, out string? detail);
        if (errno != 0)
        {
            throw NetlinkSocket.Failure("RTM_DELLINK " + DescribeLink(index), errno, detail);
        }
    }

    /// <summary>Deletes the link called <paramref name="name"/>; false when there is none.</summary>
    public bool TryDeleteLink(string name)
    {
        ValidateName(name);
        NetlinkWriter writer = BeginRequest();
        writer.BeginMessage(Rtnl.RTM_DELLINK, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK, _socket.NextSequence());
        writer.WriteIfInfoMsg(Rtnl.AF_UNSPEC, 0, 0, 0);
        writer.PutString(Rtnl.IFLA_IFNAME, name);
        writer.EndMessage();
        int errno = _socket.TryExecute(writer.Written, out string? detail);
        return errno switch
        {
            0 => true,
            Errno.ENODEV => false,
            _ => throw NetlinkSocket.Failure("RTM_DELLINK " + name, errno, detail),
        };
    }

    /// <summary>
    /// Adds an address (RTM_NEWADDR, NLM_F_EXCL). <paramref name="noDad"/> sets IFA_F_NODAD so an IPv6 address is
    /// usable at once instead of tentative for a second.
    /// </summary>
    public void AddAddress(int index, IPAddress address, int prefixLength, bool noDad = false)
    {
        ArgumentNullException.ThrowIfNull(address);
        byte family = FamilyOf(address);
        int maxPrefix = family == Rtnl.AF_INET ? 32 : 128;
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, maxPrefix);
        NetlinkWriter writer = BeginRequest();
        writer.BeginMessage(Rtnl.RTM_NEWADDR, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL, _socket.NextSequence());
        uint flags = noDad ? Rtnl.IFA_F_NODAD : 0;
        writer.WriteIfAddrMsg(family, (byte)prefixLength, (byte)flags, Rtnl.RT_SCOPE_UNIVERSE, index);
        writer.PutAddress(Rtnl.IFA_LOCAL, address);
        writer.PutAddress(Rtnl.IFA_ADDRESS, address);
        if (flags != 0)
        {
            writer.PutUInt32(Rtnl.IFA_FLAGS, flags);
        }

        writer.EndMessage();
        int errno = _socket.TryExecute(writer.Written, out string? detail);
        if (errno != 0)
        {
            throw NetlinkSocket.Failure(
                $"RTM_NEWADDR {address}/{prefixLength.ToString(CultureInfo.InvariantCulture)} dev {DescribeLink(index)}", errno, detail);
        }
    }

    /// <summary>Adds a route that must not exist yet (NLM_F_EXCL) or replaces it (NLM_F_REPLACE).</summary>
    public void AddRoute(RouteSpec route, bool replace = false)
    {
        int errno = TryAddRoute(route, replace, out string? detail);
        if (errno != 0)
        {
            throw NetlinkSocket.Failure(DescribeRoute(route, replace), errno, detail);
        }
    }

    /// <summary>Adds a route; false when one with the same destination, table and metric exists (EEXIST).</summary>
    public bool TryAddRoute(RouteSpec route)
    {
        int errno = TryAddRoute(route, replace: false, out string? detail);
        return errno switch
        {
            0 => true,
            Errno.EEXIST => false,
            _ => throw NetlinkSocket.Failure(DescribeRoute(route, false), errno, detail),
        };
    }

    /// <summary>The link called <paramref name="name"/>, or null (RTM_GETLINK by IFLA_IFNAME).</summary>
    public LinkInfo? GetLink(string name)
    {
        ValidateName(name);
        NetlinkWriter writer = BeginRequest();
        writer.BeginMessage(Rtnl.RTM_GETLINK, Rtnl.NLM_F_REQUEST, _socket.NextSequence());
        writer.WriteIfInfoMsg(Rtnl.AF_UNSPEC, 0, 0, 0);
        writer.PutString(Rtnl.IFLA_IFNAME, name);
        writer.EndMessage();
        return GetOneLink(writer.Written, name);
    }

    /// <summary>The link with <paramref name="index"/>, or null.</summary>
    public LinkInfo? GetLink(int index)
    {
        NetlinkWriter writer = BeginRequest();
        writer.BeginMessage(Rtnl.RTM_GETLINK, Rtnl.NLM_F_REQUEST, _socket.NextSequence());
        writer.WriteIfInfoMsg(Rtnl.AF_UNSPEC, index, 0, 0);
        writer.EndMessage();
        return GetOneLink(writer.Written, "ifindex " + index.ToString(CultureInfo.InvariantCulture));
    }

    public IReadOnlyList<LinkInfo> ListLinks()
    {
        NetlinkWriter writer = BeginRequest();
        writer.BeginMessage(Rtnl.RTM_GETLINK, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_DUMP, _socket.NextSequence());
        writer.WriteIfInfoMsg(Rtnl.AF_UNSPEC, 0, 0, 0);
        writer.EndMessage();
        var links = new List<LinkInfo>();
        DumpOrThrow(writer.Written, "RTM_GETLINK dump", (type, payload) =>
        {
            if (type == Rtnl.RTM_NEWLINK)
            {
                links.Add(RtnlCodec.ParseLink(payload));
            }
        });
        return links;
    }

    /// <summary>Every address; <paramref name="family"/> 0 (both), 2 (IPv4) or 10 (IPv6).</summary>
    public IReadOnlyList<AddressInfo> ListAddresses(AddressFamily family = AddressFamily.Unspecified)
    {
        NetlinkWriter writer = BeginRequest();
        writer.BeginMessage(Rtnl.RTM_GETADDR, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_DUMP, _socket.NextSequence());
        writer.WriteIfAddrMsg(ToNetlinkFamily(family), 0, 0, 0, 0);
        writer.EndMessage();
        var addresses = new List<AddressInfo>();
        DumpOrThrow(writer.Written, "RTM_GETADDR dump", (type, payload) =>
        {
            if (type == Rtnl.RTM_NEWADDR && RtnlCodec.TryParseAddress(payload, out AddressInfo? address))
            {
                addresses.Add(address);
            }
        });
        return addresses;
    }

    /// <summary>Every route of every table; <paramref name="family"/> as for <see cref="ListAddresses"/>.</summary>
    public IReadOnlyList<RouteInfo> ListRoutes(AddressFamily family = AddressFamily.Unspecified)
    {
        NetlinkWriter writer = BeginRequest();
        writer.BeginMessage(Rtnl.RTM_GETROUTE, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_DUMP, _socket.NextSequence());
        writer.WriteRtMsg(ToNetlinkFamily(family), 0, 0, 0, 0, 0, 0);
        writer.EndMessage();
        var routes = new List<RouteInfo>();
        DumpOrThrow(writer.Written, "RTM_GETROUTE dump", (type, payload) =>
        {
            if (type == Rtnl.RTM_NEWROUTE && RtnlCodec.TryParseRoute(payload, out RouteInfo? route))
            {
                routes.Add(route);
            }
        });
        return routes;
    }

    internal static string FormatMac(ReadOnlySpan<byte> mac) => RtnlCodec.FormatMac(mac);

    private int TryAddRoute(RouteSpec route, bool replace, out string? detail)
    {
        ArgumentNullException.ThrowIfNull(route);
        IPNetwork destination = route.Destination;
        byte family = FamilyOf(destination.BaseAddress);
        if (route.Gateway is not null && FamilyOf(route.Gateway) != family)
        {
            throw new ArgumentException($"gateway {route.Gateway} is not in the family of {destination}", nameof(route));
        }

        ushort flags = (ushort)(Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK | Rtnl.NLM_F_CREATE | (replace ? Rtnl.NLM_F_REPLACE : Rtnl.NLM_F_EXCL));
        NetlinkWriter writer = BeginRequest();
        writer.BeginMessage(Rtnl.RTM_NEWROUTE, flags, _socket.NextSequence());
        byte table = route.Table < 256 ? (byte)route.Table : (byte)0;
        writer.WriteRtMsg(family, (byte)destination.PrefixLength, table, route.Protocol, route.Scope, Rtnl.RTN_UNICAST, route.OnLink ? Rtnl.RTNH_F_ONLINK : 0);
        if (destination.PrefixLength > 0)
        {
            writer.PutAddress(Rtnl.RTA_DST, destination.BaseAddress);
        }

        if (route.Gateway is not null)
        {
            writer.PutAddress(Rtnl.RTA_GATEWAY, route.Gateway);
        }

        writer.PutInt32(Rtnl.RTA_OIF, route.OutInterfaceIndex);
        if (route.Metric != 0)
        {
            writer.PutUInt32(Rtnl.RTA_PRIORITY, route.Metric);
        }

        if (route.Table >= 256)
        {
            writer.PutUInt32(Rtnl.RTA_TABLE, route.Table);
        }

        writer.EndMessage();
        return _socket.TryExecute(writer.Written, out detail);
    }

    private string DescribeRoute(RouteSpec route, bool replace)
    {
        string via = route.Gateway is null ? string.Empty : " via " + route.Gateway;
        string scope = route.Scope == Rtnl.RT_SCOPE_LINK ? " scope link" : string.Empty;
        string onlink = route.OnLink ? " onlink" : string.Empty;
        return $"RTM_NEWROUTE{(replace ? " (replace)" : string.Empty)} {route.Destination}{via} dev {DescribeLink(route.OutInterfaceIndex)}{scope}{onlink}";
    }

    private LinkInfo? GetOneLink(ReadOnlySpan<byte> request, string what)
    {
        LinkInfo? found = null;
        int errno = _socket.Dump(request, (type, payload) =>
        {
            if (type == Rtnl.RTM_NEWLINK)
            {
                found = RtnlCodec.ParseLink(payload);
            }
        }, out string? detail);
        return errno switch
        {
            0 => found,
            Errno.ENODEV => null,
            _ => throw NetlinkSocket.Failure("RTM_GETLINK " + what, errno, detail),
        };
    }

    private void DumpOrThrow(ReadOnlySpan<byte> request, string operation, NetlinkMessageHandler handler)
    {
        int errno = _socket.Dump(request, handler, out string? detail);
        if (errno != 0)
        {
            throw NetlinkSocket.Failure(operation, errno, detail);
        }
    }

    /// <summary>The instance's writer, emptied for a new request.</summary>
    private NetlinkWriter BeginRequest()
    {
        _writer.Reset();
        return _writer;
    }

    private NetlinkWriter BeginSetLink(int index, uint flags, uint change)
    {
        NetlinkWriter writer = BeginRequest();
        writer.BeginMessage(Rtnl.RTM_SETLINK, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK, _socket.NextSequence());
        writer.WriteIfInfoMsg(Rtnl.AF_UNSPEC, index, flags, change);
        return writer;
    }

    private void ExecuteOnLink(ReadOnlySpan<byte> request, int index, string change)
    {
        int errno = _socket.TryExecute(request, out string? detail);
        if (errno != 0)
        {
            throw NetlinkSocket.Failure($"RTM_SETLINK {DescribeLink(index)} {change}", errno, detail);
        }
    }

    /// <summary>The link's name for an error message (looked up only when something already failed).</summary>
    private string DescribeLink(int index)
    {
        string number = "ifindex " + index.ToString(CultureInfo.InvariantCulture);
        try
        {
            return GetLink(index)?.Name ?? number;
        }
        catch (NetlinkException)
        {
            return number;
        }
    }

    private static void PutLinkOptions(NetlinkWriter writer, byte[]? mac, int mtu)
    {
        if (mac is not null)
        {
            if (mac.Length != 6)
            {
                throw new ArgumentException("a MAC address has 6 bytes", nameof(mac));
            }

            writer.PutAttribute(Rtnl.IFLA_ADDRESS, mac);
        }

        if (mtu > 0)
        {
            writer.PutInt32(Rtnl.IFLA_MTU, mtu);
        }
    }

    private static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Length > 15 || name.Contains('/', StringComparison.Ordinal) || name.Contains(' ', StringComparison.Ordinal) || name is "." or "..")
        {
            throw new ArgumentException($"'{name}' is not a valid interface name (at most 15 characters, no '/' or spaces)", nameof(name));
        }
    }

    private static byte FamilyOf(IPAddress address) => address.AddressFamily switch
    {
        AddressFamily.InterNetwork => Rtnl.AF_INET,
        AddressFamily.InterNetworkV6 => Rtnl.AF_INET6,
        _ => throw new ArgumentException($"{address} is neither IPv4 nor IPv6", nameof(address)),
    };

    private static byte ToNetlinkFamily(AddressFamily family) => family switch
    {
        AddressFamily.Unspecified => Rtnl.AF_UNSPEC,
        AddressFamily.InterNetwork => Rtnl.AF_INET,
        AddressFamily.InterNetworkV6 => Rtnl.AF_INET6,
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "IPv4, IPv6 or unspecified"),
    };
}
