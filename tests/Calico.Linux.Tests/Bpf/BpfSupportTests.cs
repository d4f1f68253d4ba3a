using Calico.Linux.Bpf;
using Calico.TestKit;

namespace Calico.Linux.Tests.Bpf;

/// <summary>The feature probe on this kernel (6.18 with BTF, JIT, clsact; built without netkit).</summary>
[Trait("Tier", "Root")]
public sealed class BpfSupportTests
{
    [Fact]
    public async Task Probe_OnThisKernel_FindsEverythingTheDataplaneNeeds_AndNoNetkit()
    {
        IpTool.RequireRootTier();
        var report = await BpfSupport.ProbeAsync();

        Assert.Equal(
            [BpfSupport.Syscall, BpfSupport.Btf, BpfSupport.Jit, BpfSupport.TcClsact, BpfSupport.RedirectPeer, BpfSupport.RedirectNeigh, BpfSupport.Netkit],
            report.Capabilities.Select(c => c.Name));
        Assert.True(report.Missing.Select(c => c.Name).SequenceEqual([BpfSupport.Netkit]), report.Describe());
        Assert.Null(report.WhyDataplaneCannotRun());
        Assert.NotNull(report.WhyAttachTypeRefused("Netkit"));
        Assert.All(report.Capabilities, c => Assert.False(string.IsNullOrWhiteSpace(c.Reason)));
    }

    [Fact]
    public async Task Probe_WithTheJitSysctlUnreadable_StillKnowsFromALoadedProgram_AndAMissingBtfIsReported()
    {
        IpTool.RequireRootTier();
        var report = await BpfSupport.ProbeAsync(new BpfProbeOptions { BtfPath = "/nonexistent/vmlinux", JitSysctlPath = "/nonexistent/bpf_jit_enable" });

        Assert.True(report.Has(BpfSupport.Jit), report[BpfSupport.Jit].Reason);
        Assert.False(report.Has(BpfSupport.Btf));
        Assert.Contains("btf", report.WhyDataplaneCannotRun(), StringComparison.Ordinal);
    }
}
