using Calico.Api;
using Calico.Felix.Config;
using Calico.Node.Startup;

namespace Calico.Node.Tests;

/// <summary>FelixConfiguration floatingIPs reaches the render configuration (upstream's default Disabled).</summary>
[Trait("Tier", "Unit")]
public sealed class FelixSettingsFloatingIpsTests
{
    [Theory]
    [InlineData(null, false)]
    [InlineData("Disabled", false)]
    [InlineData("Enabled", true)]
    public void FloatingIps_Enabled_ProgramsIpNats(string? value, bool enabled)
    {
        var global = new FelixConfiguration { Metadata = { Name = "default" } };
        global.Spec.FloatingIPs = value;
        FelixConfig config = FelixConfigLoader.Load([], null, global, null, [], new Dictionary<string, string>()).Config;

        Assert.Equal(enabled, FelixSettings.ToRenderConfig(config).FloatingIps);
    }
}
