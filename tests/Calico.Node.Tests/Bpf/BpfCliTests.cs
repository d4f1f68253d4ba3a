using Calico.TestKit;

namespace Calico.Node.Tests.Bpf;

/// <summary>calico-node -bpf's arguments and its answer where no eBPF dataplane runs (no kernel needed).</summary>
[Trait("Tier", "Unit")]
public sealed class BpfCliTests : IDisposable
{
    private readonly TempDirectory _root = new("calico-bpfcli");

    private async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var environment = new Dictionary<string, string> { ["CALICO_BPF_ROOT"] = _root.Path };
        int exit = await NodeCli.RunAsync(["-bpf", .. args], environment, stdout, stderr, CancellationToken.None);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Help_PrintsTheCommandsAndWhatDiffersFromUpstream()
    {
        var (exit, output, _) = await RunAsync("help");
        Assert.Equal(0, exit);
        foreach (string expected in new[] { "conntrack dump [--raw]", "conntrack stats", "policy dump <interface> <ingress|egress|all>", "counters dump [--iface <interface>]", "Upstream" })
        {
            Assert.Contains(expected, output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(new string[0], "Usage: calico-node -bpf")]
    [InlineData(new[] { "nat", "dump" }, "unknown command 'nat dump'")]
    [InlineData(new[] { "conntrack", "remove" }, "unknown command 'conntrack remove'")]
    [InlineData(new[] { "conntrack", "dump", "--ver=3" }, "conntrack dump: unknown option '--ver=3' (it takes --raw, -4, --ipv4, -6, --ipv6, -j, --json)")]
    [InlineData(new[] { "conntrack", "dump", "-4", "-6" }, "-4 and -6 together")]
    [InlineData(new[] { "policy", "dump", "cali1" }, "policy dump: 1 arguments where it takes 2")]
    [InlineData(new[] { "policy", "dump", "cali1", "xdp" }, "hook 'xdp': this dataplane has no XDP program")]
    [InlineData(new[] { "policy", "dump", "cali1", "sideways" }, "hook 'sideways' is not ingress, egress or all")]
    [InlineData(new[] { "policy", "dump", "cali1", "all", "--asm" }, "policy dump: unknown option '--asm' (it takes none)")]
    [InlineData(new[] { "counters", "dump", "--iface" }, "counters dump: --iface needs a value")]
    [InlineData(new[] { "counters", "dump", "extra" }, "counters dump: unexpected argument 'extra'")]
    public async Task BadArguments_ExitTwo_NamingWhatIsWrong(string[] args, string message)
    {
        var (exit, output, error) = await RunAsync(args);
        Assert.Equal(2, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Equal("", output);
    }

    [Theory]
    [InlineData("cali_ct", "conntrack", "dump")]
    [InlineData("cali_ct", "conntrack", "stats")]
    [InlineData("cali_eps", "policy", "dump", "lo", "all")]
    [InlineData("cali_eps", "counters", "dump", "--iface", "lo")]
    [InlineData("cali_eps", "counters", "dump")]
    public async Task NoPinnedMaps_ExitOne_SayingTheDataplaneIsNotRunning(string map, params string[] args)
    {
        var (exit, output, error) = await RunAsync(args);
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Equal(
            $"calico-node -bpf: no pinned map at {Path.Combine(_root.Path, map)}: the eBPF dataplane is not running on this host (FelixConfiguration bpfEnabled false?), or CALICO_BPF_ROOT names another bpffs root{Environment.NewLine}",
            error);
    }

    public void Dispose() => _root.Dispose();
}
