using Calico.Node.Startup;

namespace Calico.Node.Tests;

[Trait("Tier", "Unit")]
public sealed class NodeSettingsTests
{
    private static NodeSettings Parse(Dictionary<string, string> env, params string[] args) => NodeSettings.Parse(args, env, "os-host");

    [Fact]
    public void Upstream_names_and_defaults()
    {
        var s = Parse(new() { ["NODENAME"] = "Host1", ["IP"] = "172.30.0.11/24", ["IP6"] = "fd00:30::11/64" }, "--state-dir", "/tmp/x");
        Assert.Equal("host1", s.NodeName);
        Assert.Equal("172.30.0.11/24", s.Ipv4Address);
        Assert.Equal("fd00:30::11/64", s.Ipv6Address);
        Assert.Equal("/tmp/x", s.StateDir);
        Assert.Equal(NodeSettings.DefaultFelixConfigPath, s.FelixConfigPath);

        var d = Parse([]);
        Assert.Equal("os-host", d.NodeName);
        Assert.True(d.AutodetectIpv4);
        Assert.Null(d.Ipv6Address);
        Assert.Equal("10.0.0.5/32", Parse(new() { ["IP"] = "10.0.0.5" }).Ipv4Address);
    }

    [Theory]
    [InlineData("IP", "10.0.0.300", "IP='10.0.0.300'")]
    [InlineData("IP", "fd00::1", "IP='fd00::1'")]
    [InlineData("IP6", "10.0.0.1", "IP6='10.0.0.1'")]
    [InlineData("NODENAME", "bad_name!", "NODENAME='bad_name!'")]
    public void Bad_values_name_the_variable_and_value(string variable, string value, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => Parse(new() { [variable] = value }));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_arguments_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => Parse([], "--bogus"));
        Assert.Contains("'--bogus'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_cli_exits_2_with_the_reason_on_bad_input()
    {
        var stderr = new StringWriter();
        int code = await NodeCli.RunAsync(["--felix-config"], new Dictionary<string, string>(), stderr, CancellationToken.None);
        Assert.Equal(2, code);
        Assert.Contains("--felix-config needs a value", stderr.ToString(), StringComparison.Ordinal);
    }
}
