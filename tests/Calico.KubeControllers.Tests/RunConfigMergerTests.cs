using Calico.Api;
using Calico.KubeControllers.Config;

namespace Calico.KubeControllers.Tests;

[Trait("Tier", "Unit")]
public sealed class RunConfigMergerTests
{
    private static EnvironmentSettings Env(params (string Name, string Value)[] vars) =>
        EnvironmentSettings.Parse(vars.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal));

    [Fact]
    public void UpstreamDefault_RunsTheNodeController_WarnsForTheKubernetesOnes()
    {
        var merged = RunConfigMerger.Merge(Env(), KubeControllersDefaults.Create().Spec);

        Assert.NotNull(merged.Config.Node);
        Assert.Equal(TimeSpan.FromMinutes(15), merged.Config.Node.LeakGracePeriod);
        Assert.False(merged.Config.Node.AutoCreateHostEndpoints);
        Assert.Equal(TimeSpan.FromMinutes(10), merged.Config.EtcdV3CompactionPeriod);
        Assert.Equal(9094, merged.Config.PrometheusMetricsPort);
        Assert.True(merged.Config.HealthEnabled);
        Assert.Equal("15m0s", merged.Status.RunningConfig!.Controllers.Node!.LeakGracePeriod);
        Assert.Equal("10m0s", merged.Status.RunningConfig.EtcdV3CompactionPeriod);
        Assert.Null(merged.Status.RunningConfig.Controllers.Policy);
        foreach (var name in new[] { "policy", "workloadEndpoint", "serviceAccount", "namespace", "loadBalancer", "syncLabels" })
        {
            Assert.Contains(merged.Warnings, w => w.Contains(name, StringComparison.Ordinal) && w.Contains("Kubernetes", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Environment_OverridesTheResource_AndIsReported()
    {
        var merged = RunConfigMerger.Merge(
            Env(("COMPACTION_PERIOD", "0"), ("AUTO_HOST_ENDPOINTS", "enabled"), ("HEALTH_ENABLED", "false"), ("ENABLED_CONTROLLERS", "node")),
            KubeControllersDefaults.Create().Spec);

        Assert.Equal(TimeSpan.Zero, merged.Config.EtcdV3CompactionPeriod);
        Assert.True(merged.Config.Node!.AutoCreateHostEndpoints);
        Assert.False(merged.Config.HealthEnabled);
        Assert.Equal("0", merged.Status.EnvironmentVars!["COMPACTION_PERIOD"]);
        Assert.Equal("Enabled", merged.Status.RunningConfig!.Controllers.Node!.HostEndpoint!.AutoCreate);
        Assert.DoesNotContain(merged.Warnings, w => w.Contains("controllers.policy", StringComparison.Ordinal));
    }

    [Fact]
    public void NodeControllerAbsent_NothingRuns()
    {
        var spec = KubeControllersDefaults.Create().Spec;
        spec.Controllers.Node = null;
        Assert.Null(RunConfigMerger.Merge(Env(), spec).Config.Node);
    }

    [Theory]
    [InlineData("leakGracePeriod", "abc")]
    [InlineData("leakGracePeriod", "-5m")]
    [InlineData("etcdV3CompactionPeriod", "10 minutes")]
    public void BadDuration_RefusedNamingFieldAndValue(string field, string value)
    {
        var spec = KubeControllersDefaults.Create().Spec;
        if (field == "leakGracePeriod")
        {
            spec.Controllers.Node!.LeakGracePeriod = value;
        }
        else
        {
            spec.EtcdV3CompactionPeriod = value;
        }

        var e = Assert.Throws<ValidationException>(() => RunConfigMerger.Merge(Env(), spec));
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
        Assert.Contains(value, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadTemplate_Refused()
    {
        var spec = KubeControllersDefaults.Create().Spec;
        spec.Controllers.Node!.HostEndpoint!.Templates = [new Template { GenerateName = "t", NodeSelector = "has(", InterfaceCIDRs = ["10.0.0.0/33"] }];
        var e = Assert.Throws<ValidationException>(() => RunConfigMerger.Merge(Env(), spec));
        Assert.Contains("templates[0].nodeSelector", e.Message, StringComparison.Ordinal);
        Assert.Contains("10.0.0.0/33", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ENABLED_CONTROLLERS", "node,policy", "needs the Kubernetes API")]
    [InlineData("ENABLED_CONTROLLERS", "nodes", "invalid controller 'nodes'")]
    [InlineData("COMPACTION_PERIOD", "abc", "COMPACTION_PERIOD")]
    [InlineData("HEALTH_ENABLED", "yes", "must be true or false")]
    [InlineData("AUTO_HOST_ENDPOINTS", "on", "must be Enabled or Disabled")]
    [InlineData("LOG_LEVEL", "loud", "LOG_LEVEL")]
    public void BadEnvironment_RefusedNamingVariableAndValue(string name, string value, string expected)
    {
        var e = Assert.Throws<ValidationException>(() => Env((name, value)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains(value, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SameInputs_SameFingerprint_ChangedGrace_Differs()
    {
        var a = RunConfigMerger.Merge(Env(), KubeControllersDefaults.Create().Spec).Config;
        var b = RunConfigMerger.Merge(Env(), KubeControllersDefaults.Create().Spec).Config;
        var spec = KubeControllersDefaults.Create().Spec;
        spec.Controllers.Node!.LeakGracePeriod = "1m";
        var c = RunConfigMerger.Merge(Env(), spec).Config;
        Assert.Equal(a.Fingerprint, b.Fingerprint);
        Assert.NotEqual(a.Fingerprint, c.Fingerprint);
    }
}
