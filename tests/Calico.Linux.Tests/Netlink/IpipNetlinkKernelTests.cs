using Calico.Linux.Kernel;
using Calico.Linux.Netlink;
using Calico.TestKit;

namespace Calico.Linux.Tests.Netlink;

/// <summary>Root tier: the ipip request against this kernel, in a namespace of its own.</summary>
[Trait("Tier", "Root")]
public class IpipNetlinkKernelTests
{
    [Fact]
    public async Task TryCreateIpip_AnswersAsTheKernelCan_CreatedOrExistingOrRefusedNamingTheRequest()
    {
        using var ns = new NetnsScope("calt-ipip");
        using RouteNetlink netlink = await RouteNetlink.OpenInAsync(ns.Path, CancellationToken.None);
        bool ipip = (await KernelProbe.ProbeAsync()).Has(KernelFeatures.Ipip);

        if (ipip)
        {
            // The request loads the module, whose fallback tunl0 takes the name: created or EEXIST, never an error.
            netlink.TryCreateIpip("tunl0");
            Assert.Equal("ipip", netlink.GetLink("tunl0")!.Kind);
            Assert.False(netlink.TryCreateIpip("tunl0"));
        }
        else
        {
            NetlinkException refused = Assert.Throws<NetlinkException>(() => netlink.TryCreateIpip("tunl0"));
            Assert.Contains("RTM_NEWLINK ipip tunl0", refused.Message, StringComparison.Ordinal);
            Assert.Contains("EOPNOTSUPP", refused.Message, StringComparison.Ordinal);
            Assert.Null(netlink.GetLink("tunl0"));
        }
    }
}
