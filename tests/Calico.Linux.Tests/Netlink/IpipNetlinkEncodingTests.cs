using Calico.Linux.Netlink;

namespace Calico.Linux.Tests.Netlink;

/// <summary>
/// Unit tests: the IP-in-IP link request, byte for byte what iproute2 sends. This kernel has no ipip, so the request
/// cannot be tried here; the expected bytes were captured from iproute2 6.1 with
/// <c>strace -e trace=sendmsg -e write=3 ip link add tunl0 type ipip</c> in a namespace (it sends the request before
/// the kernel refuses it), the sequence number set to 1. The layout follows include/uapi/linux/if_link.h and
/// rtnetlink.h: nlmsghdr (RTM_NEWLINK 16, NLM_F_REQUEST|ACK|EXCL|CREATE 0x605), ifinfomsg (all zero),
/// IFLA_IFNAME (3) "tunl0\0", IFLA_LINKINFO (18) { IFLA_INFO_KIND (1) "ipip" }.
/// </summary>
[Trait("Tier", "Unit")]
public class IpipNetlinkEncodingTests
{
    [Fact]
    public void NewIpipLink_IsIproute2sRequest()
    {
        const string Iproute2 = "380000001000050601000000000000000000000000000000000000000000000"
            + "00a00030074756e6c300000000c0012000800010069706970";
        var writer = new NetlinkWriter(NetlinkProtocol.Route);

        RouteNetlink.WriteNewIpipLink(writer, 1, "tunl0");

        Assert.Equal(Iproute2, Convert.ToHexStringLower(writer.Written));
    }

    [Fact]
    public void NewIpipLink_ParsedBackAsTheKernelWould_NameAndKind()
    {
        var writer = new NetlinkWriter(NetlinkProtocol.Route);
        RouteNetlink.WriteNewIpipLink(writer, 7, "tunl0");

        LinkInfo link = RtnlCodec.ParseLink(writer.Written[Rtnl.HeaderLength..]);

        Assert.Equal(("tunl0", "ipip"), (link.Name, link.Kind));
        Assert.Null(link.Vxlan);
    }
}
