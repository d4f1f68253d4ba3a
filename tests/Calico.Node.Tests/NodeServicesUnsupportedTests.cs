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
        var config = ResourceCodec.Decode("apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: node.n1}\nspec: {wireguardEnabled: true, wireguardEnabledV6: true}").Single();
        var refused = SupportMatrix.Check(config).Where(f => f.Status == SupportStatus.Refused).ToList();
        services.Telemetry.UnsupportedSettings(refused);
        services.Telemetry.SetReadiness(false, "not enforced: " + refused.Single(f => f.Path == "spec.wireguardEnabled").Summary);

        using var text = new MemoryStream();
        await services.Registry.WriteTextAsync(text, CancellationToken.None);
        var metrics = System.Text.Encoding.UTF8.GetString(text.ToArray());
        Assert.Contains("felix_unsupported_settings{kind=\"FelixConfiguration\",name=\"node.n1\",field=\"spec.wireguardEnabled\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("field=\"spec.wireguardEnabledV6\"} 1", metrics, StringComparison.Ordinal);

        var health = services.Health.Summarize();
        Assert.False(health.Ready);
        Assert.Contains(health.Reporters, r => r.Reason == "not enforced: FelixConfiguration \"node.n1\" sets wireguardEnabled");
    }
}
