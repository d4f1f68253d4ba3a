using Calico.Felix.Dataplane.Interfaces;
using Calico.Linux;

namespace Calico.Felix.Dataplane.Tests.Interfaces;

/// <summary>Root tier: sysctls written from a thread inside a namespace standing as the host.</summary>
[Trait("Tier", "Root")]
public class WorkloadInterfaceConfiguratorTests
{
    [Fact]
    public async Task Configure_IPv4AndIPv6_SetsUpstreamValuesThenWritesNothing()
    {
        using HostNamespace host = await HostNamespace.CreateAsync();
        host.AddVeth("calia");
        host.Scope.Exec("sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/calia/accept_ra");
        var configurator = new WorkloadInterfaceConfigurator(new WorkloadInterfaceSettings { IPv6Enabled = true });

        InterfaceConfigResult first = await NetworkNamespace.RunInAsync(host.Path, () => configurator.Configure("calia"));
        InterfaceConfigResult second = await NetworkNamespace.RunInAsync(host.Path, () => configurator.Configure("calia"));

        Assert.True(first.InterfaceExists);
        Assert.True(first.SysctlsWritten > 0);
        Assert.Equal(new InterfaceConfigResult(true, 0), second);
        Assert.Equal("1", host.Scope.Sysctl("net/ipv4/conf/calia/route_localnet"));
        Assert.Equal("0", host.Scope.Sysctl("net/ipv4/neigh/calia/proxy_delay"));
        Assert.Equal("1", host.Scope.Sysctl("net/ipv4/conf/calia/proxy_arp"));
        Assert.Equal("1", host.Scope.Sysctl("net/ipv4/conf/calia/forwarding"));
        Assert.Equal("1", host.Scope.Sysctl("net/ipv4/conf/calia/rp_filter"));
        Assert.Equal("0", host.Scope.Sysctl("net/ipv6/conf/calia/accept_ra"));
        Assert.Equal("1", host.Scope.Sysctl("net/ipv6/conf/calia/proxy_ndp"));
        Assert.Equal("1", host.Scope.Sysctl("net/ipv6/conf/calia/forwarding"));
    }

    [Fact]
    public async Task Configure_DriftOnOneValue_RewritesOnlyThatValue()
    {
        using HostNamespace host = await HostNamespace.CreateAsync();
        host.AddVeth("calia");
        var configurator = new WorkloadInterfaceConfigurator();
        await NetworkNamespace.RunInAsync(host.Path, () => configurator.Configure("calia"));

        host.Scope.Exec("sh", "-c", "echo 0 > /proc/sys/net/ipv4/conf/calia/proxy_arp");
        InterfaceConfigResult repaired = await NetworkNamespace.RunInAsync(host.Path, () => configurator.Configure("calia"));

        Assert.Equal(new InterfaceConfigResult(true, 1), repaired);
        Assert.Equal("1", host.Scope.Sysctl("net/ipv4/conf/calia/proxy_arp"));
    }

    [Fact]
    public async Task Configure_SourceSpoofingAllowed_SetsRpFilterZero()
    {
        using HostNamespace host = await HostNamespace.CreateAsync();
        host.AddVeth("calia");
        var configurator = new WorkloadInterfaceConfigurator();

        await NetworkNamespace.RunInAsync(host.Path, () => configurator.Configure("calia", allowSourceSpoofing: true));

        Assert.Equal("0", host.Scope.Sysctl("net/ipv4/conf/calia/rp_filter"));
    }

    [Fact]
    public async Task Configure_MissingInterface_ReportsItWithoutThrowing()
    {
        using HostNamespace host = await HostNamespace.CreateAsync();
        var configurator = new WorkloadInterfaceConfigurator();

        InterfaceConfigResult result = await NetworkNamespace.RunInAsync(host.Path, () => configurator.Configure("calinothere"));

        Assert.Equal(new InterfaceConfigResult(false, 0), result);
    }

    [Fact]
    public async Task EnsureHostSysctls_FreshNamespace_EnablesForwardingOnce()
    {
        using HostNamespace host = await HostNamespace.CreateAsync();
        var configurator = new WorkloadInterfaceConfigurator(new WorkloadInterfaceSettings { IPv6Enabled = true });

        int first = await NetworkNamespace.RunInAsync(host.Path, configurator.EnsureHostSysctls);
        int second = await NetworkNamespace.RunInAsync(host.Path, configurator.EnsureHostSysctls);

        Assert.Equal((2, 0), (first, second));
        Assert.Equal("1", host.Scope.Sysctl("net/ipv4/ip_forward"));
        Assert.Equal("1", host.Scope.Sysctl("net/ipv6/conf/all/forwarding"));
    }
}
