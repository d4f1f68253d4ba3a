using Calico.Api;
using Calico.Api.Support;

namespace Calico.Node.Tests;

[Trait("Tier", "Unit")]
public sealed class NodeServicesUnsupportedTests
{
    [Fact]
    public async Task UnsupportedSettings_AreExposedAsAMetricAndOnReadiness()
    {
        await using var services = NodeServices.Create(TextWriter.Null, new Dictionary<string, string>());
        var gnp = ResourceCodec.Decode("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: pre-dnat-1}\nspec: {selector: all(), preDNAT: true, applyOnForward: true}").Single();
        var refused = SupportMatrix.Check(gnp).Where(f => f.Status == SupportStatus.Refused).ToList();
        services.Telemetry.UnsupportedSettings(refused);
        services.Telemetry.SetReadiness(false, "not enforced: " + refused.Single(f => f.Path == "spec.preDNAT").Summary);

        using var text = new MemoryStream();
        await services.Registry.WriteTextAsync(text, CancellationToken.None);
        var metrics = System.Text.Encoding.UTF8.GetString(text.ToArray());
        Assert.Contains("felix_unsupported_settings{kind=\"GlobalNetworkPolicy\",name=\"pre-dnat-1\",field=\"spec.preDNAT\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("field=\"spec.applyOnForward\"} 1", metrics, StringComparison.Ordinal);

        var health = services.Health.Summarize();
        Assert.False(health.Ready);
        Assert.Contains(health.Reporters, r => r.Reason == "not enforced: GlobalNetworkPolicy \"pre-dnat-1\" sets preDNAT");
    }
}
