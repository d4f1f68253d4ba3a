using Calico.Api;
using Calico.Felix.Config;
using Calico.Node.Startup;

namespace Calico.Node.Tests;

/// <summary>The Felix parameters the renderer depends on reach its configuration.</summary>
[Trait("Tier", "Unit")]
public sealed class FelixSettingsRenderConfigTests
{
    [Theory]
    [InlineData(null, false)]
    [InlineData("Disabled", false)]
    [InlineData("Any", true)]
    public void WorkloadSourceSpoofing_Any_AllowsEndpointsSpoofedSourcePrefixes(string? value, bool allowed)
    {
        var global = new FelixConfiguration { Metadata = { Name = "default" } };
        global.Spec.WorkloadSourceSpoofing = value;
        FelixConfig config = FelixConfigLoader.Load([], null, global, null, [], new Dictionary<string, string>()).Config;

        Assert.Equal(allowed, FelixSettings.ToRenderConfig(config).AllowWorkloadSourceSpoofing);
    }
}
