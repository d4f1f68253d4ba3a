using Calico.Felix.Dataplane.Tunnels;
using Calico.TestKit;
using Xunit.Abstractions;

namespace Calico.Felix.Dataplane.Tests;

/// <summary>Root tier (the probe needs CAP_SYS_ADMIN for its throwaway namespace): IP-in-IP detection on this kernel.</summary>
public class TunnelSupportTests(ITestOutputHelper output)
{
    [Fact]
    public async Task IpipSupport_Check_AnswersWithoutThrowingAndNamesTheReason()
    {
        IpTool.RequireRootTier();

        TunnelSupport support = await IpipSupport.CheckAsync();
        output.WriteLine($"available: {support.Available}; reason: {support.Reason}");

        if (Directory.Exists("/sys/module/ipip"))
        {
            Assert.True(support.Available, support.Reason);
        }
        else
        {
            // This project's kernel: no ipip module, built in or loadable.
            Assert.False(support.Available);
            Assert.StartsWith("the kernel has no ipip module (modprobe ipip failed: RTM_NEWLINK ipip tunl-probe: Operation not supported (EOPNOTSUPP)", support.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task IpipSupport_Check_LeavesNoLinkInTheProcessNamespace()
    {
        IpTool.RequireRootTier();

        await IpipSupport.CheckAsync();

        Assert.DoesNotContain("tunl-probe", IpTool.Run("link", "show"), StringComparison.Ordinal);
    }
}
