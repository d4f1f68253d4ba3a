using Calico.Felix.Dataplane.Interfaces;
using Calico.Linux;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Felix.Dataplane.Tests.Interfaces;

/// <summary>The host default read and applied in a namespace the test creates.</summary>
[Trait("Tier", "Root")]
public class HostRpFilterDefaultKernelTests
{
    [Theory]
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
