using Calico.Felix.Dataplane.Interfaces;
using Calico.Linux;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Felix.Dataplane.Tests.Interfaces;

public class HostRpFilterDefaultTests
{
    [Theory]
    [Trait("Tier", "Unit")]
    [InlineData("0", "0")]
    [InlineData("1", "1")]
    [InlineData("2", "2")]
    [InlineData("3", null)]
    [InlineData("", null)]
    [InlineData("1 ", null)]
    [InlineData("strict", null)]
    [InlineData(null, null)]
    public void FromHostDefault_Text_ValueOrNull(string? text, string? expected) =>
        Assert.Equal(expected, HostRpFilterDefault.FromHostDefault(text));

    [Theory]
    [Trait("Tier", "Root")]
    [InlineData("0")]
    [InlineData("2")]
    public async Task Read_InANamespace_ReturnsThatNamespacesDefault(string hostDefault)
    {
        using HostNamespace host = await HostNamespace.CreateAsync();
        host.Scope.Exec("sh", "-c", $"echo {hostDefault} > /proc/sys/net/ipv4/conf/default/rp_filter");

        string value = await NetworkNamespace.RunInAsync(host.Path, () => HostRpFilterDefault.Read(NullLogger.Instance));

        Assert.Equal(hostDefault, value);
    }

    [Fact]
    [Trait("Tier", "Root")]
    public async Task Configure_WithTheHostDefaultZero_WritesZeroOverAStrictInterface()
    {
        using HostNamespace host = await HostNamespace.CreateAsync();
        host.AddVeth("calia");
        host.Scope.Exec("sh", "-c", "echo 0 > /proc/sys/net/ipv4/conf/default/rp_filter && echo 1 > /proc/sys/net/ipv4/conf/calia/rp_filter");
        string hostDefault = await NetworkNamespace.RunInAsync(host.Path, () => HostRpFilterDefault.Read(NullLogger.Instance));
        var configurator = new WorkloadInterfaceConfigurator(new WorkloadInterfaceSettings { DefaultRpFilter = hostDefault });

        await NetworkNamespace.RunInAsync(host.Path, () => configurator.Configure("calia"));

        Assert.Equal("0", host.Scope.Sysctl("net/ipv4/conf/calia/rp_filter"));
    }
}
