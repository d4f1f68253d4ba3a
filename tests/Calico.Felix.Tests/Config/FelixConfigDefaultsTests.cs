using Calico.Felix.Config;
using static Calico.Felix.Tests.Config.LoaderHarness;

namespace Calico.Felix.Tests.Config;

[Trait("Tier", "Unit")]
public sealed class FelixConfigDefaultsTests
{
    [Fact]
    public void Load_NoSources_UsesUpstreamCodeDefaults()
    {
        var (config, problems) = Load();

        Assert.Empty(problems);
        Assert.Equal(DatastoreType.Etcdv3, config.DatastoreType);
        Assert.Equal(EndpointToHostAction.Drop, config.DefaultEndpointToHostAction);
        Assert.Equal(ChainInsertMode.Insert, config.ChainInsertMode);
        Assert.Equal(["cali"], config.InterfacePrefix);
        Assert.Matches(Assert.Single(config.InterfaceExclude), "kube-ipvs0");
        Assert.DoesNotMatch(Assert.Single(config.InterfaceExclude), "kube-ipvs01");
        Assert.Equal(0xffff0000u, config.IptablesMarkMask);
        Assert.Equal(0xffff0000u, config.NftablesMarkMask);
        Assert.Equal(LogSeverity.Info, config.LogSeverityScreen);
        Assert.Equal(LogSeverity.Info, config.LogSeverityFile);
        Assert.Equal(LogSeverity.Info, config.LogSeveritySys);
        Assert.Equal("/var/log/calico/felix.log", config.LogFilePath);
        Assert.False(config.HealthEnabled);
        Assert.Equal("localhost", config.HealthHost);
        Assert.Equal(9099, config.HealthPort);
        Assert.False(config.PrometheusMetricsEnabled);
        Assert.Equal(9091, config.PrometheusMetricsPort);
        Assert.Null(config.IpipEnabled);
        Assert.Null(config.VxlanEnabled);
        Assert.Equal(4789, config.VxlanPort);
        Assert.Equal(4096, config.VxlanVni);
        Assert.Equal(0, config.VxlanMtu);
        Assert.Equal(0, config.IpipMtu);
        Assert.Null(config.NatOutgoingAddress);
        Assert.Null(config.NatPortRange);
        Assert.Equal(Calico.Api.Port.Range(20000, 29999), config.BpfPsnatPorts);
        Assert.Equal(NatOutgoingExclusions.IPPoolsOnly, config.NatOutgoingExclusions);
        Assert.Equal(3, config.DeviceRouteProtocol);
        Assert.True(config.RemoveExternalRoutes);
        Assert.True(config.Ipv6Support);
        Assert.Equal(TimeSpan.FromSeconds(30), config.ReportingInterval);
        Assert.Equal(TimeSpan.FromSeconds(90), config.ReportingTtl);
        Assert.False(config.EndpointReportingEnabled);
        Assert.Equal(NftablesMode.Auto, config.NftablesMode);
        Assert.Equal(IptablesBackend.Auto, config.IptablesBackend);
        Assert.False(config.BpfEnabled);
        Assert.Equal(WorkloadSourceSpoofing.Disabled, config.WorkloadSourceSpoofing);
        Assert.False(config.AllowVxlanPacketsFromWorkloads);
        Assert.False(config.AllowIpipPacketsFromWorkloads);
        Assert.Equal(ServiceLoopPrevention.Drop, config.ServiceLoopPrevention);
        Assert.Equal(ProgramClusterRoutes.EnabledIPIPOnly, config.ProgramClusterRoutes);
        Assert.Equal(AwsSrcDstCheck.DoNothing, config.AwsSrcDstCheck);
        Assert.Equal(51820, config.WireguardListeningPort);
        Assert.Equal("wireguard.cali", config.WireguardInterfaceName);
        Assert.Equal("127.0.0.1:2379", config.EtcdAddr);
        Assert.Empty(config.EtcdEndpoints);
        Assert.Equal("", config.FelixHostname);
        Assert.Equal("calico-packet", config.LogPrefix);
        Assert.Equal(1048576, config.MaxIpsetSize);
        Assert.Equal(30000, Assert.Single(config.KubeNodePortRanges).MinPort);
    }

    // Trap 26: the API doc's defaults drift from the code's; these are the code's.
    [Theory]
    [InlineData(nameof(FelixConfig.RouteRefreshInterval), 90)]
    [InlineData(nameof(FelixConfig.InterfaceRefreshInterval), 90)]
    [InlineData(nameof(FelixConfig.IptablesRefreshInterval), 180)]
    [InlineData(nameof(FelixConfig.IptablesPostWriteCheckInterval), 5)]
    [InlineData(nameof(FelixConfig.IpsetsRefreshInterval), 90)]
    [InlineData(nameof(FelixConfig.NftablesRefreshInterval), 180)]
    [InlineData(nameof(FelixConfig.XdpRefreshInterval), 90)]
    [InlineData(nameof(FelixConfig.NetlinkTimeout), 10)]
    [InlineData(nameof(FelixConfig.DataplaneWatchdogTimeout), 90)]
    [InlineData(nameof(FelixConfig.EndpointReportingDelay), 1)]
    public void Load_NoSources_IntervalIsCodeDefault(string property, double seconds)
    {
        var config = Load().Config;

        var value = property switch
        {
            nameof(FelixConfig.RouteRefreshInterval) => config.RouteRefreshInterval,
            nameof(FelixConfig.InterfaceRefreshInterval) => config.InterfaceRefreshInterval,
            nameof(FelixConfig.IptablesRefreshInterval) => config.IptablesRefreshInterval,
            nameof(FelixConfig.IptablesPostWriteCheckInterval) => config.IptablesPostWriteCheckInterval,
            nameof(FelixConfig.IpsetsRefreshInterval) => config.IpsetsRefreshInterval,
            nameof(FelixConfig.NftablesRefreshInterval) => config.NftablesRefreshInterval,
            nameof(FelixConfig.XdpRefreshInterval) => config.XdpRefreshInterval,
            nameof(FelixConfig.NetlinkTimeout) => config.NetlinkTimeout,
            nameof(FelixConfig.DataplaneWatchdogTimeout) => config.DataplaneWatchdogTimeout,
            nameof(FelixConfig.EndpointReportingDelay) => config.EndpointReportingDelay,
            _ => throw new ArgumentOutOfRangeException(nameof(property)),
        };
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Fact]
    public void Load_NoSources_IptablesLockProbeIntervalIs50Millis()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(50), Load().Config.IptablesLockProbeInterval);
    }

    [Fact]
    public void Load_NoSources_FailsafePortsAreUpstreamLists()
    {
        var config = Load().Config;

        Assert.Equal(
            "tcp:22,udp:68,tcp:179,tcp:2379,tcp:2380,tcp:5473,tcp:6443,tcp:6666,tcp:6667",
            string.Join(',', config.FailsafeInboundHostPorts));
        Assert.Equal(
            "udp:53,udp:67,tcp:179,tcp:2379,tcp:2380,tcp:5473,tcp:6443,tcp:6666,tcp:6667",
            string.Join(',', config.FailsafeOutboundHostPorts));
    }

    [Fact]
    public void Load_NoSources_EveryOriginIsCodeDefault()
    {
        var origins = Load().Origins;

        Assert.Equal(FelixParams.All.Count, origins.Count);
        Assert.All(origins.Values, o => Assert.Equal(ConfigSource.Default, o.Source));
        Assert.Equal("90", origins["RouteRefreshInterval"].RawValue);
    }

    [Fact]
    public void ParamTable_Names_AreUniqueCaseInsensitively()
    {
        Assert.Equal(FelixParams.All.Count, FelixParams.ByName.Count);
    }

    [Fact]
    public void ParamTable_LocalOnlyParameters_HaveNoApiField()
    {
        var local = FelixParams.All.Where(p => p.IsLocal).ToList();

        Assert.Contains(local, p => p.Name == "DatastoreType");
        Assert.Contains(local, p => p.Name == "EtcdEndpoints");
        Assert.Contains(local, p => p.Name == "FelixHostname");
        Assert.All(local, p => Assert.Null(p.ApiField));
    }
}
