using Calico.Api;
using Calico.Felix.Config;
using static Calico.Felix.Tests.Config.LoaderHarness;

namespace Calico.Felix.Tests.Config;

[Trait("Tier", "Unit")]
public sealed class FelixConfigPrecedenceTests
{
    // Each layer sets RouteRefreshInterval to a distinct value; the highest layer present wins.
    [Theory]
    [InlineData(true, true, true, true, true, 1, ConfigSource.EnvironmentVariable)]
    [InlineData(false, true, true, true, true, 2, ConfigSource.ConfigFile)]
    [InlineData(false, false, true, true, true, 3, ConfigSource.DatastorePerHost)]
    [InlineData(false, false, false, true, true, 4, ConfigSource.DatastorePerSelector)]
    [InlineData(false, false, false, false, true, 5, ConfigSource.DatastoreGlobal)]
    [InlineData(false, false, false, false, false, 90, ConfigSource.Default)]
    [InlineData(false, true, false, false, true, 2, ConfigSource.ConfigFile)]
    [InlineData(true, false, false, false, true, 1, ConfigSource.EnvironmentVariable)]
    public void Load_LayeredSources_HighestWins(bool env, bool file, bool node, bool selector, bool global, int expectedSeconds, ConfigSource expectedSource)
    {
        var result = Load(
            env: env ? Env("FELIX_ROUTEREFRESHINTERVAL=1") : null,
            file: file ? "[global]\nRouteRefreshInterval = 2\n" : null,
            node: node ? Resource("node.host1", s => s.RouteRefreshInterval = "3s") : null,
            selectorScoped: selector ? [Resource("rack-a", s => { s.NodeSelector = "rack == 'a'"; s.RouteRefreshInterval = "4s"; })] : [],
            global: global ? Resource("default", s => s.RouteRefreshInterval = "5s") : null,
            labels: new Dictionary<string, string> { ["rack"] = "a" });

        Assert.Empty(result.Problems);
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), result.Config.RouteRefreshInterval);
        Assert.Equal(expectedSource, result.Origins["RouteRefreshInterval"].Source);
    }

    [Fact]
    public void Load_DifferentParametersFromDifferentSources_EachKeepsItsOwnOrigin()
    {
        var result = Load(
            env: Env("FELIX_LOGSEVERITYSCREEN=debug"),
            file: "[global]\nHealthEnabled = true\n",
            node: Resource("node.host1", s => s.HealthPort = 9199),
            global: Resource("default", s => { s.DefaultEndpointToHostAction = "Accept"; s.HealthPort = 1; }));

        Assert.Equal(LogSeverity.Debug, result.Config.LogSeverityScreen);
        Assert.True(result.Config.HealthEnabled);
        Assert.Equal(9199, result.Config.HealthPort);
        Assert.Equal(EndpointToHostAction.Accept, result.Config.DefaultEndpointToHostAction);
        Assert.Equal(new ConfigOrigin("LogSeverityScreen", ConfigSource.EnvironmentVariable, "environment", "FELIX_LOGSEVERITYSCREEN", "debug"), result.Origins["LogSeverityScreen"]);
        Assert.Equal("config file line 2", result.Origins["HealthEnabled"].Location);
        Assert.Equal("FelixConfiguration node.host1", result.Origins["HealthPort"].Location);
        Assert.Equal("healthPort", result.Origins["HealthPort"].Key);
        Assert.Equal("HealthPort='9199' from healthPort (FelixConfiguration node.host1)", result.Origins["HealthPort"].ToString());
        Assert.Equal(ConfigSource.DatastoreGlobal, result.Origins["DefaultEndpointToHostAction"].Source);
    }

    [Theory]
    [InlineData("FELIX_ROUTEREFRESHINTERVAL")]
    [InlineData("felix_routerefreshinterval")]
    [InlineData("Felix_RouteRefreshInterval")]
    public void Load_EnvironmentNameAnyCase_IsRecognised(string name)
    {
        var result = Load(env: Env(name + "=7"));

        Assert.Empty(result.Problems);
        Assert.Equal(TimeSpan.FromSeconds(7), result.Config.RouteRefreshInterval);
    }

    [Theory]
    [InlineData("routerefreshinterval")]
    [InlineData("ROUTEREFRESHINTERVAL")]
    [InlineData("RouteRefreshInterval")]
    public void Load_ConfigFileKeyAnyCase_IsRecognised(string key)
    {
        var result = Load(file: $"[global]\n{key} = 7\n");

        Assert.Empty(result.Problems);
        Assert.Equal(TimeSpan.FromSeconds(7), result.Config.RouteRefreshInterval);
    }

    [Theory]
    [InlineData("drop", EndpointToHostAction.Drop)]
    [InlineData("DROP", EndpointToHostAction.Drop)]
    [InlineData("Return", EndpointToHostAction.Return)]
    [InlineData("accept", EndpointToHostAction.Accept)]
    [InlineData("ACCEPT", EndpointToHostAction.Accept)]
    public void Load_EnumAnyCase_IsParsed(string raw, EndpointToHostAction expected)
    {
        var result = Load(env: Env("FELIX_DEFAULTENDPOINTTOHOSTACTION=" + raw));

        Assert.Empty(result.Problems);
        Assert.Equal(expected, result.Config.DefaultEndpointToHostAction);
    }

    [Fact]
    public void Load_InvalidEnvironmentValue_FallsThroughToFileWithProblem()
    {
        var result = Load(
            env: Env("FELIX_ROUTEREFRESHINTERVAL=abc"),
            file: "[global]\nRouteRefreshInterval = 12\n");

        var problem = Assert.Single(result.Problems);
        Assert.Equal("FELIX_ROUTEREFRESHINTERVAL='abc' (environment): not a duration", problem.Message);
        Assert.Equal(ConfigProblemSeverity.Error, problem.Severity);
        Assert.Equal(ConfigSource.EnvironmentVariable, problem.Source);
        Assert.Equal("RouteRefreshInterval", problem.Parameter);
        Assert.False(problem.IsFatalUpstream);
        Assert.Equal(TimeSpan.FromSeconds(12), result.Config.RouteRefreshInterval);
        Assert.Equal(ConfigSource.ConfigFile, result.Origins["RouteRefreshInterval"].Source);
    }

    [Fact]
    public void Load_InvalidValuesInSeveralSources_EachReportedAndDefaultUsed()
    {
        var result = Load(
            env: Env("FELIX_LOGSEVERITYSCREEN=loud"),
            file: "[global]\nLogSeverityScreen = verbose\n",
            node: Resource("node.host1", s => s.LogSeverityScreen = "chatty"),
            global: Resource("default", s => s.LogSeverityScreen = "Warning"));

        Assert.Equal(
            [
                "FELIX_LOGSEVERITYSCREEN='loud' (environment): not one of Trace, Debug, Info, Warning, Error, Fatal",
                "LogSeverityScreen='verbose' (config file line 2): not one of Trace, Debug, Info, Warning, Error, Fatal",
                "logSeverityScreen='chatty' (FelixConfiguration node.host1): not one of Trace, Debug, Info, Warning, Error, Fatal",
            ],
            result.Problems.Select(p => p.Message));
        Assert.Equal(LogSeverity.Warning, result.Config.LogSeverityScreen);
        Assert.Equal(ConfigSource.DatastoreGlobal, result.Origins["LogSeverityScreen"].Source);
    }

    [Fact]
    public void Load_InvalidDieOnFailValue_IsMarkedFatalUpstream()
    {
        var result = Load(env: Env("FELIX_INTERFACEPREFIX=bad prefix!"));

        var problem = Assert.Single(result.Problems);
        Assert.True(problem.IsFatalUpstream);
        Assert.True(result.HasUpstreamFatalProblem);
        Assert.Equal(["cali"], result.Config.InterfacePrefix);
    }

    [Fact]
    public void Load_UnknownFelixEnvironmentVariable_IsWarned()
    {
        var result = Load(env: Env("FELIX_NOSUCHTHING=1", "PATH=/bin", "NODENAME=host1"));

        var problem = Assert.Single(result.Problems);
        Assert.Equal(ConfigProblemSeverity.Warning, problem.Severity);
        Assert.Equal("FELIX_NOSUCHTHING='1' (environment): unknown parameter, ignored", problem.Message);
    }

    [Fact]
    public void Load_UnknownConfigFileKey_IsWarned()
    {
        var result = Load(file: "[global]\n\nNoSuchThing = 1\n");

        var problem = Assert.Single(result.Problems);
        Assert.Equal(ConfigProblemSeverity.Warning, problem.Severity);
        Assert.Equal("NoSuchThing='1' (config file line 3): unknown parameter, ignored", problem.Message);
    }

    [Theory]
    [InlineData("FELIX_DATASTORETYPE=kubernetes")]
    [InlineData("FELIX_ETCDENDPOINTS=https://10.0.0.1:2379")]
    [InlineData("FELIX_FELIXHOSTNAME=host1")]
    public void Load_LocalOnlyFromEnvironment_IsTaken(string pair)
    {
        var result = Load(env: Env(pair), global: Resource("default", s => s.LogSeverityScreen = "Debug"));

        Assert.Empty(result.Problems);
        var name = pair[6..pair.IndexOf('=', StringComparison.Ordinal)];
        Assert.Equal(ConfigSource.EnvironmentVariable, result.Origins[name].Source);
    }

    [Fact]
    public void Load_LocalOnlyParameters_AreNeverTakenFromResources()
    {
        // The v3 API has no fields for them; a full resource must leave the local values alone.
        var result = Load(
            file: "[global]\nDatastoreType = kubernetes\nFelixHostname = host1\nEtcdEndpoints = http://a:2379,https://b:2379\nEtcdCaFile = /ca.pem\n",
            node: Resource("node.host1", s => s.LogSeverityScreen = "Debug"),
            global: Resource("default", s => s.LogSeverityScreen = "Error"));

        Assert.Empty(result.Problems);
        Assert.Equal(DatastoreType.Kubernetes, result.Config.DatastoreType);
        Assert.Equal("host1", result.Config.FelixHostname);
        Assert.Equal(["http://a:2379/", "https://b:2379/"], result.Config.EtcdEndpoints);
        Assert.Equal("/ca.pem", result.Config.EtcdCaFile);
        Assert.All(
            FelixParams.All.Where(p => p.IsLocal),
            p => Assert.True(result.Origins[p.Name].Source is ConfigSource.ConfigFile or ConfigSource.Default));
    }

    [Fact]
    public void Load_EmptyEnvironmentValue_IsIgnored()
    {
        var result = Load(env: Env("FELIX_HEALTHPORT="), file: "[global]\nHealthPort = 9200\n");

        Assert.Empty(result.Problems);
        Assert.Equal(9200, result.Config.HealthPort);
    }

    [Theory]
    [InlineData("FELIX_FAILSAFEINBOUNDHOSTPORTS=none")]
    [InlineData("FELIX_FAILSAFEINBOUNDHOSTPORTS=None")]
    public void Load_NoneValue_SetsZeroValue(string pair)
    {
        var result = Load(env: Env(pair));

        Assert.Empty(result.Problems);
        Assert.Empty(result.Config.FailsafeInboundHostPorts);
    }

    [Fact]
    public void Load_NoneForNonZeroParameter_IsProblemAndFallsThrough()
    {
        var result = Load(env: Env("FELIX_CHAININSERTMODE=none"), global: Resource("default", s => s.ChainInsertMode = "Append"));

        Assert.Single(result.Problems);
        Assert.Equal(ChainInsertMode.Append, result.Config.ChainInsertMode);
    }

    [Fact]
    public void Load_ResourceEmptyFailsafeList_DisablesFailsafes()
    {
        var result = Load(global: Resource("default", s => s.FailsafeInboundHostPorts = []));

        Assert.Empty(result.Problems);
        Assert.Empty(result.Config.FailsafeInboundHostPorts);
    }

    [Fact]
    public void Load_ResourceFailsafeList_IsConverted()
    {
        var result = Load(global: Resource("default", s => s.FailsafeOutboundHostPorts =
        [
            new ProtoPort { Protocol = "UDP", Port = 53 },
            new ProtoPort { Port = 22, Net = "10.0.0.0/8" },
        ]));

        Assert.Empty(result.Problems);
        Assert.Equal([new FailsafePort("udp", 53, null), new FailsafePort("tcp", 22, "10.0.0.0/8")], result.Config.FailsafeOutboundHostPorts);
    }

    [Fact]
    public void Load_ResourceTypedFields_AreConverted()
    {
        var result = Load(global: Resource("default", s =>
        {
            s.IpipEnabled = true;
            s.VxlanEnabled = false;
            s.VxlanVNI = 4097;
            s.IptablesMarkMask = 0xff00;
            s.NatPortRange = Port.Range(32768, 65535);
            s.NatOutgoingAddress = "192.0.2.1";
            s.KubeNodePortRanges = [Port.Range(30000, 31000), Port.Single(32000)];
            s.ReportingInterval = "0s";
        }));

        Assert.Empty(result.Problems);
        Assert.True(result.Config.IpipEnabled);
        Assert.False(result.Config.VxlanEnabled);
        Assert.Equal(4097, result.Config.VxlanVni);
        Assert.Equal(0xff00u, result.Config.IptablesMarkMask);
        Assert.Equal(Port.Range(32768, 65535), result.Config.NatPortRange);
        Assert.Equal("192.0.2.1", result.Config.NatOutgoingAddress?.ToString());
        Assert.Equal(2, result.Config.KubeNodePortRanges.Count);
        Assert.Equal(TimeSpan.Zero, result.Config.ReportingInterval);
    }
}
