using Calico.Ctl.Commands;
using Calico.TestKit;

namespace Calico.Ctl.Tests;

/// <summary><c>calicoctl node status</c> against a real BIRD 2 in a namespace this test creates (root tier).</summary>
[Trait("Tier", "Root")]
public sealed class NodeStatusRealBirdTests
{
    private const string Config = """
        router id 10.0.0.1;
        timeformat protocol "%T" 72000 "%F";
        protocol device { scan time 2; }
        protocol bgp Mesh_10_0_0_2 {
          local as 64512;
          neighbor 10.0.0.2 as 64512;
          passive on;
          ipv4 { import all; export none; };
        }

        """;

    [Fact]
    public async Task Run_RealBird_PeerRowFromItsControlSocket()
    {
        using var children = new ChildProcess();
        using var dir = new TempDirectory("calico-node-status");
        using var ns = new NetnsScope("calstat");
        var configPath = dir.File("bird.cfg");
        var socketPath = dir.File("bird.ctl");
        await File.WriteAllTextAsync(configPath, Config);
        var bird = children.Start(Prerequisites.Require("ip"), ["netns", "exec", ns.Name, Prerequisites.Require("bird"), "-f", "-c", configPath, "-s", socketPath]);
        for (var i = 0; i < 600 && !File.Exists(socketPath) && !bird.HasExited; i++)
        {
            await Task.Delay(100);
        }

        Assert.True(File.Exists(socketPath), "BIRD did not open its socket: " + children.OutputOf(bird));
        using var stdout = new StringWriter();
        await using var context = new CtlContext(TextReader.Null, stdout, TextWriter.Null,
            name => name == NodeStatusRunner.SocketVariable ? socketPath : null, TimeProvider.System);

        var exit = await new NodeStatusRunner(context, new NodeStatusProbe(() => true, () => true, () => true)).RunAsync(CancellationToken.None);

        Assert.Equal(0, exit);
        Assert.Matches(@"\n\| 10\.0\.0\.2     \| node-to-node mesh \| start \| \d\d:\d\d:\d\d \| Passive +\|\n", stdout.ToString());
        Assert.Contains("\nIPv6 BGP status\nNo IPv6 peers found.\n", stdout.ToString(), StringComparison.Ordinal);
    }
}
