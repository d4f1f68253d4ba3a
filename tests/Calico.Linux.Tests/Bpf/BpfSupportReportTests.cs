using Calico.Linux.Bpf;

namespace Calico.Linux.Tests.Bpf;

[Trait("Tier", "Unit")]
public sealed class BpfSupportReportTests
{
    private const string JitPath = "/proc/sys/net/core/bpf_jit_enable";

    [Theory]
    [InlineData(512u, "1", true)]
    [InlineData(512u, null, true)]
    [InlineData(0u, "0", false)]
    [InlineData(0u, null, false)]
    public void JitFrom_ALoadedProgramsJitLength_Decides(uint jitedLength, string? sysctl, bool present) =>
        Assert.Equal(present, BpfSupport.JitFrom(jitedLength, sysctl, JitPath).Present);

    [Theory]
    [InlineData("1\n", true)]
    [InlineData("2", true)]
    [InlineData("0", false)]
    [InlineData("7", false)]
    [InlineData("on", false)]
    [InlineData(null, false)]
    public void JitFrom_WithoutAProgram_FallsBackToTheSysctl(string? sysctl, bool present)
    {
        var jit = BpfSupport.JitFrom(null, sysctl, JitPath);
        Assert.Equal(present, jit.Present);
        Assert.Equal(BpfSupport.Jit, jit.Name);
        Assert.Contains(JitPath, jit.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void BtfFrom_AMissingFile_SaysWhyItMatters()
    {
        Assert.True(BpfSupport.BtfFrom(true, "/sys/kernel/btf/vmlinux").Present);
        var missing = BpfSupport.BtfFrom(false, "/sys/kernel/btf/vmlinux");
        Assert.False(missing.Present);
        Assert.Contains("CONFIG_DEBUG_INFO_BTF", missing.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AReportWithEverythingButNetkit_RunsTheDataplane_AndRefusesNetkitAndTcx()
    {
        var report = Report(netkit: false);
        Assert.Null(report.WhyDataplaneCannotRun());
        Assert.Equal([BpfSupport.Netkit], report.Missing.Select(c => c.Name));
        Assert.Null(report.WhyAttachTypeRefused("TC"));
        Assert.Contains("not supported: reason netkit", report.WhyAttachTypeRefused("Netkit"), StringComparison.Ordinal);
        Assert.Contains("libbpf 1.1", report.WhyAttachTypeRefused("TCX"), StringComparison.Ordinal);
        Assert.Contains("'tc'", report.WhyAttachTypeRefused("tc"), StringComparison.Ordinal);
    }

    [Fact]
    public void NetkitPresentInTheKernel_IsStillRefused_BecauseLibbpfCannotAttachToIt() =>
        Assert.Contains("libbpf 1.1", Report(netkit: true).WhyAttachTypeRefused("Netkit"), StringComparison.Ordinal);

    [Fact]
    public void AMissingRequiredCapability_IsNamedWithItsReason()
    {
        var report = Report(netkit: false, btf: false, tc: false);
        var why = report.WhyDataplaneCannotRun();
        Assert.NotNull(why);
        Assert.Contains("btf (reason btf)", why, StringComparison.Ordinal);
        Assert.Contains("tc-clsact (reason tc-clsact)", why, StringComparison.Ordinal);
        Assert.DoesNotContain("netkit", why, StringComparison.Ordinal);
        Assert.Contains("reason tc-clsact", report.WhyAttachTypeRefused("TC"), StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_HasOneLinePerCapability_AndAnUnknownNameIsAnError()
    {
        var report = Report(netkit: false);
        Assert.Equal(7, report.Describe().Split('\n').Length);
        Assert.Contains("netkit: no (reason netkit)", report.Describe(), StringComparison.Ordinal);
        Assert.Contains("known:", Assert.Throws<KeyNotFoundException>(() => report.Has("wings")).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, TcAttachmentState.Missing)]
    [InlineData(42u, TcAttachmentState.Attached)]
    [InlineData(43u, TcAttachmentState.Replaced)]
    public void TcAttachmentCompare_TellsDrift(uint? foundProgramId, TcAttachmentState expected)
    {
        var found = foundProgramId is { } id ? new TcAttachment(3, TcDirection.Ingress, BpfTc.Handle, BpfTc.Priority, id) : null;
        Assert.Equal(expected, TcAttachment.Compare(found, 42));
    }

    private static BpfSupportReport Report(bool netkit, bool btf = true, bool tc = true) => new(
    [
        Capability(BpfSupport.Syscall, true),
        Capability(BpfSupport.Btf, btf),
        Capability(BpfSupport.Jit, true),
        Capability(BpfSupport.TcClsact, tc),
        Capability(BpfSupport.RedirectPeer, true),
        Capability(BpfSupport.RedirectNeigh, true),
        Capability(BpfSupport.Netkit, netkit),
    ]);

    private static BpfCapability Capability(string name, bool present) => new(name, present, "reason " + name);
}
