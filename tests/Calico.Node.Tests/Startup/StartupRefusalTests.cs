using Calico.TestKit;

namespace Calico.Node.Tests.Startup;

/// <summary>A bad start-up variable stops calico-node before it touches anything: non-zero exit, the variable and value named, no datastore.</summary>
[Trait("Tier", "Unit")]
public sealed class StartupRefusalTests
{
    [Theory]
    [InlineData("CALICO_IPV4POOL_CIDR", "10.0.0.0/33")]
    [InlineData("CALICO_IPV4POOL_VXLAN", "Sometimes")]
    [InlineData("CALICO_IPV6POOL_BLOCK_SIZE", "64")]
    [InlineData("NO_DEFAULT_POOLS", "maybe")]
    [InlineData("AS", "-1")]
    [InlineData("CALICO_ROUTER_ID", "router1")]
    [InlineData("CALICO_BPF_ROOT", "sys/fs/bpf/calico")]
    public async Task RunAsync_BadVariable_ExitsNonZero_NamesIt_CreatesNothing(string variable, string value)
    {
        using var dir = new TempDirectory("startup-refusal");
        var environment = new Dictionary<string, string>
        {
            ["NODENAME"] = "node1",
            ["DATASTORE_TYPE"] = "embedded",
            ["CALICO_DATASTORE_PATH"] = dir.File("calico.db"),
            [variable] = value,
        };
        var stderr = new StringWriter();

        int code = await NodeCli.RunAsync(["--state-dir", dir.File("state")], environment, stderr, CancellationToken.None);

        Assert.NotEqual(0, code);
        Assert.Contains($"{variable}='{value}'", stderr.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("calico.db")));
        Assert.False(Directory.Exists(dir.File("state")));
    }
}
