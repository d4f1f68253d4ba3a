using System.Globalization;
using System.Text.Json;
using Calico.TestKit;

namespace Calico.Lab.Tests;

/// <summary>Root tier: down removes exactly what up and run made, and can run again.</summary>
[Trait("Tier", "Cluster")]
public sealed class DownTests
{
    [Fact]
    public async Task Down_AfterUpAndRun_LeavesNoNamespaceOrProcess_AndTwiceIsFine()
    {
        IpTool.RequireRootTier();
        Prerequisites.Require("bird");
        using var lab = new LabRunner();
        await lab.MustAsync("up", "--no-node", "--hosts", "2", "--tor");
        await lab.MustAsync("run", "host2", "y/p", "--serve", "TCP/80");
        Assert.Equal(
            new[] { "fabric", "host1", "host2", "outside", "tor", "y-p" }.Select(lab.Netns).Order(StringComparer.Ordinal),
            lab.Namespaces().Order(StringComparer.Ordinal));
        using (var state = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(lab.StateDir, "lab.json"))))
        {
            var pid = state.RootElement.GetProperty("pods")[0].GetProperty("listener").GetProperty("pid").GetInt32();
            var bird = state.RootElement.GetProperty("torBird").GetProperty("pid").GetInt32();
            Assert.True(Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture)), "the listener runs");
            Assert.True(IsAlive(bird), "the ToR's BIRD runs");

            var down = await lab.MustAsync("down");
            Assert.Contains("is down", down, StringComparison.Ordinal);
            Assert.Empty(lab.Namespaces());
            Assert.False(IsAlive(pid), "the listener is stopped");
            Assert.False(IsAlive(bird), "the ToR's BIRD is stopped");
            Assert.False(Directory.Exists(lab.StateDir));
        }

        var again = await lab.MustAsync("down");
        Assert.Contains("is not up", again, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Down_WithoutLabJson_RemovesTheLabsNamespacesByPrefix()
    {
        IpTool.RequireRootTier();
        using var lab = new LabRunner();
        await lab.MustAsync("up", "--no-node");
        File.Delete(Path.Combine(lab.StateDir, "lab.json"));
        await lab.MustAsync("down");
        Assert.Empty(lab.Namespaces());
    }

    private static bool IsAlive(int pid)
    {
        var stat = "/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/stat";
        return File.Exists(stat) && File.ReadAllText(stat).Split(") ")[1][0] != 'Z';
    }
}
