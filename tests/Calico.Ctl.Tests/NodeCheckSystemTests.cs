using System.Text.RegularExpressions;
using Calico.Ctl.Commands;
using Calico.TestKit;

namespace Calico.Ctl.Tests;

/// <summary>
/// Root tier (the probe unshares a throwaway namespace when a config cannot answer): <c>calicoctl node checksystem</c>
/// in-process on this machine and with --kernel-config files.
/// </summary>
[Trait("Tier", "Root")]
public sealed partial class NodeCheckSystemTests
{
    private static readonly CtlRunner Ctl = new(new Dictionary<string, string>());

    [GeneratedRegex(@"^\t\t(?<name>\S+) *\t\t\t\t\t(?<status>OK|WARNING|FAIL)(\t(?<reason>.+))?$")]
    private static partial Regex ResultLine();

    private static Dictionary<string, (string Status, string Reason)> Results(string output) =>
        output.Split('\n').Select(l => ResultLine().Match(l)).Where(m => m.Success)
            .ToDictionary(m => m.Groups["name"].Value, m => (m.Groups["status"].Value, m.Groups["reason"].Value));

    [Fact]
    public async Task Checksystem_ThisMachine_IpipAndWireguardWarningsExitZero()
    {
        IpTool.RequireRootTier();

        CtlResult result = await Ctl.RunAsync("node checksystem");

        Assert.True(result.ExitCode == 0, result.ToString());
        string[] lines = result.Out.TrimEnd('\n').Split('\n');
        Assert.Equal("Checking kernel version...", lines[0]);
        Assert.Matches(@"^\t\t6\.\S+ *\t\t\t\t\tOK$", lines[1]);
        Assert.Equal("Checking kernel modules...", lines[2]);
        Assert.Equal(NodeCheckSystemRunner.Success, lines[^1]);
        var results = Results(result.Out);
        Assert.Equal(["nftables", "veth", "vxlan", "ipip", "wireguard", "ebpf", "vxlan6", "bpf-syscall", "btf", "jit", "tc-clsact", "bpf_redirect_peer", "bpf_redirect_neigh", "netkit"], results.Keys.Skip(1));
        Assert.Contains("Checking eBPF dataplane support (bpfEnabled)...", lines);

        // What bpfEnabled needs is here (this kernel has no netkit: a warning, which BPF mode does not use).
        Assert.Equal("OK", results["bpf-syscall"].Status);
        Assert.Equal("OK", results["tc-clsact"].Status);
        Assert.Equal("WARNING", results["netkit"].Status);
        Assert.Equal(("OK", "CONFIG_VXLAN=y, CONFIG_IPV6=y in /proc/config.gz"), results["vxlan6"]);
        Assert.Equal(("OK", "CONFIG_NF_TABLES=y, CONFIG_NF_TABLES_INET=y in /proc/config.gz"), results["nftables"]);
        Assert.Equal("OK", results["vxlan"].Status);
        Assert.Equal("OK", results["ebpf"].Status);
        Assert.Equal(("WARNING", "CONFIG_NET_IPIP is not set in /proc/config.gz"), results["ipip"]);
        Assert.Equal(("WARNING", "CONFIG_WIREGUARD is not set in /proc/config.gz"), results["wireguard"]);
        Assert.Equal("", result.Err);
    }

    [Fact]
    public async Task Checksystem_KernelConfigWithoutNftables_FailLineAndExitOne()
    {
        IpTool.RequireRootTier();
        using var dir = new TempDirectory("checksystem");
        string config = dir.File("config");
        File.WriteAllText(config, "# CONFIG_NF_TABLES is not set\nCONFIG_VETH=y\nCONFIG_VXLAN=y\nCONFIG_NET_IPIP=y\nCONFIG_WIREGUARD=y\nCONFIG_BPF_SYSCALL=y\n");

        CtlResult result = await Ctl.RunArgsAsync(["node", "checksystem", "--kernel-config", config]);

        Assert.Equal(1, result.ExitCode);
        var results = Results(result.Out);
        Assert.Equal(("FAIL", $"CONFIG_NF_TABLES is not set in {config}"), results["nftables"]);
        Assert.Equal(("OK", $"CONFIG_NET_IPIP=y in {config}"), results["ipip"]);
        Assert.Equal(NodeCheckSystemRunner.Failure + "\n", result.Err);
        Assert.DoesNotContain(NodeCheckSystemRunner.Success, result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checksystem_KernelConfigMissingFile_ErrorNamesFlagAndValue()
    {
        IpTool.RequireRootTier();

        CtlResult result = await Ctl.RunAsync("node checksystem -f /nonexistent/kconfig");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("Invalid value for --kernel-config: \"/nonexistent/kconfig\": no such file\n", result.Err);
    }

    [Theory]
    [InlineData("6.18.44-fc-v1272", "6.18.44")]
    [InlineData("2.6.24", "2.6.24")]
    [InlineData("5.10", "5.10.0")]
    public void ParseRelease_KernelReleases(string release, string expected) =>
        Assert.Equal(Version.Parse(expected), NodeCheckSystemRunner.ParseRelease(release));
}
