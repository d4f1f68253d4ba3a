using System.Buffers.Binary;
using System.Globalization;

namespace Calico.Linux.Netlink;

/// <summary>VXLAN devices: create with every attribute in one request; read back through <see cref="LinkInfo.Vxlan"/>.</summary>
public sealed partial class RouteNetlink
{
    /// <summary>
    /// Creates a VXLAN device (RTM_NEWLINK, NLM_F_EXCL: EEXIST when the name is taken). It starts down: callers add
    /// its address and set it up. VNI, port, local address, parent and learning cannot be changed later (the kernel
    /// refuses most changes of a live device), so a device that differs is deleted and created again.
    /// </summary>
    public void CreateVxlan(VxlanSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ValidateName(spec.Name);
        ArgumentOutOfRangeException.ThrowIfNegative(spec.Vni);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(spec.Vni, 0xFFFFFF);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(spec.Port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(spec.Port, ushort.MaxValue);
        byte[]? mac = spec.Mac is null ? null : MacAddress.Parse(spec.Mac);

        NetlinkWriter writer = BeginRequest();
        writer.BeginMessage(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL, _socket.NextSequence());
        writer.WriteIfInfoMsg(Rtnl.AF_UNSPEC, 0, 0, 0);
        writer.PutString(Rtnl.IFLA_IFNAME, spec.Name);
        PutLinkOptions(writer, mac, spec.Mtu);
        int linkInfo = writer.BeginNested(Rtnl.IFLA_LINKINFO);
        writer.PutString(Rtnl.IFLA_INFO_KIND, "vxlan");
        int data = writer.BeginNested(Rtnl.IFLA_INFO_DATA);
        writer.PutUInt32(Rtnl.IFLA_VXLAN_ID, (uint)spec.Vni);
        if (spec.ParentIndex > 0)
        {
            writer.PutInt32(Rtnl.IFLA_VXLAN_LINK, spec.ParentIndex);
        }

        if (spec.LocalAddress is not null)
        {
            bool v4 = FamilyOf(spec.LocalAddress) == Rtnl.AF_INET;
            writer.PutAddress(v4 ? Rtnl.IFLA_VXLAN_LOCAL : Rtnl.IFLA_VXLAN_LOCAL6, spec.LocalAddress);
        }

        writer.PutAttribute(Rtnl.IFLA_VXLAN_LEARNING, [spec.Learning ? (byte)1 : (byte)0]);

        // The one big-endian integer of the set: the kernel declares it __be16.
        Span<byte> port = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(port, (ushort)spec.Port);
        writer.PutAttribute(Rtnl.IFLA_VXLAN_PORT, port);
        writer.EndNested(data);
        writer.EndNested(linkInfo);
        writer.EndMessage();

        int errno = _socket.TryExecute(writer.Written, out string? detail);
        if (errno != 0)
        {
            // Described only now: DescribeLink sends its own request through the same writer.
            string local = spec.LocalAddress is null ? string.Empty : " local " + spec.LocalAddress;
            string parent = spec.ParentIndex > 0 ? " dev " + DescribeLink(spec.ParentIndex) : string.Empty;
            throw NetlinkSocket.Failure(
                $"RTM_NEWLINK vxlan {spec.Name} id {spec.Vni.ToString(CultureInfo.InvariantCulture)} dstport {spec.Port.ToString(CultureInfo.InvariantCulture)}{local}{parent}",
                errno,
                detail);
        }
    }

    /// <summary>
    /// Creates a link of <paramref name="kind"/> with no kind-specific data (<c>ip link add NAME type KIND</c>), e.g.
    /// "ipip" or "bridge". An unknown kind (the kernel has no such module and could not load one) fails with
    /// EOPNOTSUPP and the kernel's "Unknown device type".
    /// </summary>
    public void CreateLink(string name, string kind)
    {
        ValidateName(name);
        ArgumentException.ThrowIfNullOrEmpty(kind);
        NetlinkWriter writer = BeginRequest();
        writer.BeginMessage(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL, _socket.NextSequence());
        writer.WriteIfInfoMsg(Rtnl.AF_UNSPEC, 0, 0, 0);
        writer.PutString(Rtnl.IFLA_IFNAME, name);
        int linkInfo = writer.BeginNested(Rtnl.IFLA_LINKINFO);
        writer.PutString(Rtnl.IFLA_INFO_KIND, kind);
        writer.EndNested(linkInfo);
        writer.EndMessage();
        _socket.Execute(writer.Written, $"RTM_NEWLINK {kind} {name}");
    }
}
