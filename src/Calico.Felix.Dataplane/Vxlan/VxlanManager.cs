using System.Net;
using System.Net.Sockets;
using Calico.Linux.Netlink;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Felix.Dataplane.Vxlan;

/// <summary>
/// Keeps one address family's VXLAN overlay equal to the desired state (upstream <c>vxlan_mgr.go</c> +
/// <c>vxlanfdb</c>): the device <c>vxlan.calico</c> (<c>vxlan-v6.calico</c>) with the local tunnel address, per remote
/// VTEP a permanent neighbour (tunnel IP → MAC) and an FDB entry (MAC → node IP) on the device, and per remote block a
/// route <c>block via &lt;tunnel IP&gt; dev vxlan.calico onlink</c> (CrossSubnet, same subnet: <c>block via &lt;node IP&gt;
/// dev &lt;parent&gt;</c>), protocol 80. Setters (or <see cref="ApplyAsync"/>, the <see cref="IDataplaneManager{TDesired}"/> seam, with the
/// whole <see cref="VxlanOverlay"/>) record desired state (no I/O); <see cref="Apply"/> reads the kernel,
/// diffs and writes only the differences, so a restarted agent converges and hand-made drift is repaired. Owns the
/// device with everything on it and protocol-80 unicast routes on the device and the parent; touches nothing else.
/// Not thread-safe: one apply loop owns it.
/// </summary>
public sealed partial class VxlanManager
{
    /// <summary>Upstream's protocol for Felix routes that are not tied to a workload interface.</summary>
    public const byte RouteProtocol = 80;

    public const string IPv4DeviceName = "vxlan.calico";
    public const string IPv6DeviceName = "vxlan-v6.calico";

    private readonly RouteNetlink _netlink;
    private readonly ILogger _logger;
    private readonly AddressFamily _family;
    private LocalVtep? _local;
    private Dictionary<string, RemoteVtep> _remotesByNode = new(StringComparer.Ordinal);
    private IReadOnlyCollection<RemoteBlock> _blocks = [];
    private bool _crossSubnet;
    private List<IPNetwork> _foreignPrefixes = [];
    private int _lastParentIndex;

    /// <param name="netlink">A socket in the namespace to program (the caller owns and disposes it).</param>
    /// <param name="family">IPv4 (<c>vxlan.calico</c>) or IPv6 (<c>vxlan-v6.calico</c>); one manager per family.</param>
    public VxlanManager(RouteNetlink netlink, AddressFamily family = AddressFamily.InterNetwork, ILogger<VxlanManager>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(netlink);
        if (family is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentOutOfRangeException(nameof(family), family, "IPv4 or IPv6");
        }

        _netlink = netlink;
        _family = family;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public string DeviceName => IsIPv4 ? IPv4DeviceName : IPv6DeviceName;

    /// <summary>Outer IP + UDP + VXLAN + inner Ethernet headers.</summary>
    public int Overhead => IsIPv4 ? 50 : 70;

    private bool IsIPv4 => _family == AddressFamily.InterNetwork;

    private int HostPrefixLength => IsIPv4 ? 32 : 128;

    /// <summary>This node's VTEP; null = no VXLAN of this family: the next Apply removes the device and its routes.</summary>
    public void SetLocalVtep(LocalVtep? vtep)
    {
        if (vtep is not null)
        {
            RequireFamily(vtep.TunnelAddress, "LocalVtep.TunnelAddress");
            RequireFamily(vtep.NodeAddress, "LocalVtep.NodeAddress");
            RequireUnicastMac(vtep.Mac, "LocalVtep.Mac");
            if (vtep.Vni is < 1 or > 0xFFFFFF)
            {
                throw new ArgumentException($"LocalVtep.Vni {vtep.Vni} is outside 1-16777215", nameof(vtep));
            }

            if (vtep.Port is < 1 or > ushort.MaxValue)
            {
                throw new ArgumentException($"LocalVtep.Port {vtep.Port} is outside 1-65535", nameof(vtep));
            }

            if (vtep.Mtu < 0 || (vtep.Mtu > 0 && vtep.Mtu < (IsIPv4 ? 68 : 1280)))
            {
                throw new ArgumentException($"LocalVtep.Mtu {vtep.Mtu} is too small for {(IsIPv4 ? "IPv4" : "IPv6")} (0 = parent MTU - {Overhead})", nameof(vtep));
            }

            if (vtep.ParentInterface is { Length: 0 or > 15 })
            {
                throw new ArgumentException($"LocalVtep.ParentInterface '{vtep.ParentInterface}' is not an interface name", nameof(vtep));
            }

            vtep = vtep with { Mac = MacAddress.Normalize(vtep.Mac) };
        }

        _local = vtep;
    }

    /// <summary>
    /// The other nodes' VTEPs (replacing earlier ones). VTEPs of the other family are ignored, so one list can feed
    /// both managers. Node names must be unique.
    /// </summary>
    public void SetRemoteVteps(IReadOnlyCollection<RemoteVtep> vteps)
    {
        ArgumentNullException.ThrowIfNull(vteps);
        var byNode = new Dictionary<string, RemoteVtep>(vteps.Count, StringComparer.Ordinal);
        foreach (RemoteVtep vtep in vteps)
        {
            ArgumentNullException.ThrowIfNull(vtep);
            ArgumentException.ThrowIfNullOrEmpty(vtep.Node);
            if (vtep.TunnelAddress.AddressFamily != _family)
            {
                continue;
            }

            RequireFamily(vtep.NodeAddress, $"RemoteVtep({vtep.Node}).NodeAddress");
            RequireUnicastMac(vtep.Mac, $"RemoteVtep({vtep.Node}).Mac");
            if (!byNode.TryAdd(vtep.Node, vtep with { Mac = MacAddress.Normalize(vtep.Mac) }))
            {
                throw new ArgumentException($"RemoteVtep node '{vtep.Node}' appears twice", nameof(vteps));
            }
        }

        _remotesByNode = byNode;
    }

    /// <summary>The blocks of other nodes (replacing earlier ones); blocks of the other family are ignored.</summary>
    public void SetRemoteBlocks(IReadOnlyCollection<RemoteBlock> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        var copy = new List<RemoteBlock>(blocks.Count);
        foreach (RemoteBlock block in blocks)
        {
            ArgumentNullException.ThrowIfNull(block);
            ArgumentException.ThrowIfNullOrEmpty(block.Node);
            if (block.Cidr.BaseAddress.AddressFamily == _family)
            {
                copy.Add(block);
            }
        }

        _blocks = copy;
    }

    /// <summary>CrossSubnet: remote nodes in the parent's subnet are routed natively (no encapsulation).</summary>
    public void SetMode(bool crossSubnet) => _crossSubnet = crossSubnet;

    /// <summary>
    /// Prefixes whose native routes on the parent belong to another manager (IP-in-IP CrossSubnet pools program the
    /// same kind of route, same protocol): such routes are neither claimed nor removed here.
    /// </summary>
    public void SetForeignPrefixes(IReadOnlyCollection<IPNetwork> prefixes)
    {
        ArgumentNullException.ThrowIfNull(prefixes);
        _foreignPrefixes = prefixes.Where(p => p.BaseAddress.AddressFamily == _family).ToList();
    }

    private void RequireFamily(IPAddress address, string field)
    {
        ArgumentNullException.ThrowIfNull(address, field);
        if (address.AddressFamily != _family)
        {
            throw new ArgumentException($"{field} {address} is not {(IsIPv4 ? "IPv4" : "IPv6")} (this manager programs {DeviceName})", field);
        }
    }

    private static void RequireUnicastMac(string mac, string field)
    {
        Span<byte> bytes = stackalloc byte[6];
        if (!MacAddress.TryParse(mac, bytes) || !MacAddress.IsUnicast(bytes))
        {
            throw new ArgumentException($"{field} '{mac}' is not a unicast MAC address", field);
        }
    }
}
