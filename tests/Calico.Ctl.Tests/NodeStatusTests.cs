using Calico.Bird.Control;
using Calico.Ctl.Commands;
using Calico.TestKit;

namespace Calico.Ctl.Tests;

[Trait("Tier", "Root")]
public sealed class NodeStatusTests
{
    private const string ShowProtocolsReply =
        "2002-Name       Proto      Table      State  Since         Info\n" +
        "1002-device1    Device     ---        up     12:52:45  \n" +
        " kernel_v4  Kernel     master4    up     12:52:45  \n" +
        " Mesh_10_0_0_2 BGP        ---        up     12:52:47  Established   \n" +
        " Global_10_0_0_254 BGP        ---        start  12:52:45  Active        Socket: Connection refused\n" +
        " Node_10_0_0_253_port_1790 BGP        ---        up     12:53:01  Established   \n" +
        " Mesh_fd00__2 BGP        ---        up     12:52:48  Established   \n" +
        "0000 \n";

    private static readonly NodeStatusProbe AllRunning = new(() => true, () => true, () => true);

    private static async Task<(int Exit, string Out, string Err)> RunAsync(NodeStatusProbe probe, string? socket)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        await using var context = new CtlContext(TextReader.Null, stdout, stderr,
            name => name == NodeStatusRunner.SocketVariable ? socket : null, TimeProvider.System);
        var exit = await new NodeStatusRunner(context, probe).RunAsync(CancellationToken.None);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Table_PeersOfBothFamilies_UpstreamLayout()
    {
        var protocols = new[]
        {
            new BirdProtocolStatus("kernel_v4", "Kernel", "master4", "up", "12:52:45", ""),
            new BirdProtocolStatus("Mesh_10_0_0_2", "BGP", "---", "up", "12:52:47", "Established"),
            new BirdProtocolStatus("Global_10_0_0_254", "BGP", "---", "start", "12:52:45", "Active Socket: Connection refused"),
            new BirdProtocolStatus("Mesh_fd00__2", "BGP", "---", "up", "12:52:48", "Established"),
        };

        Assert.Equal(
            """

            IPv4 BGP status
            +--------------+-------------------+-------+----------+-----------------------------------+
            | PEER ADDRESS | PEER TYPE         | STATE | SINCE    | INFO                              |
            +--------------+-------------------+-------+----------+-----------------------------------+
            | 10.0.0.2     | node-to-node mesh | up    | 12:52:47 | Established                       |
            | 10.0.0.254   | global            | start | 12:52:45 | Active Socket: Connection refused |
            +--------------+-------------------+-------+----------+-----------------------------------+

            IPv6 BGP status
            +--------------+-------------------+-------+----------+-------------+
            | PEER ADDRESS | PEER TYPE         | STATE | SINCE    | INFO        |
            +--------------+-------------------+-------+----------+-------------+
            | fd00::2      | node-to-node mesh | up    | 12:52:48 | Established |
            +--------------+-------------------+-------+----------+-------------+

            """.Replace("\r", "", StringComparison.Ordinal),
            NodeStatusTable.Render(protocols));
    }

    [Fact]
    public void Table_NoCalicoPeers_NoPeersFoundPerFamily()
    {
        var protocols = new[] { new BirdProtocolStatus("tor", "BGP", "---", "up", "12:52:45", "Established") };
        Assert.Equal("\nIPv4 BGP status\nNo IPv4 peers found.\n\nIPv6 BGP status\nNo IPv6 peers found.\n", NodeStatusTable.Render(protocols));
    }

    [Fact]
    public async Task Run_CalicoNodeNotRunning_ErrorAndExit1()
    {
        var (exit, stdout, stderr) = await RunAsync(new NodeStatusProbe(() => true, () => false, () => true), socket: null);
        Assert.Equal((1, "", "Calico process is not running.\n"), (exit, stdout, stderr));
    }

    [Fact]
    public async Task Run_NotRoot_UpstreamMessage()
    {
        var (exit, stdout, _) = await RunAsync(new NodeStatusProbe(() => false, () => true, () => true), socket: null);
        Assert.Equal((1, "Need super user privileges: Operation not permitted\n"), (exit, stdout));
    }

    [Fact]
    public async Task Run_BirdNotRunning_SaysSo()
    {
        var (exit, stdout, _) = await RunAsync(new NodeStatusProbe(() => true, () => true, () => false), socket: null);
        Assert.Equal((0, "Calico process is running.\n\nThe BGP backend process (BIRD) is not running.\n\n"), (exit, stdout));
    }

    [Fact]
    public async Task Run_BirdSocket_PrintsPeersFromShowProtocols()
    {
        using var dir = new TempDirectory("calico-node-status");
        await using var bird = new NodeStatusFakeBird(dir.File("bird.ctl"), ShowProtocolsReply);

        var (exit, stdout, _) = await RunAsync(AllRunning, bird.SocketPath);

        Assert.Equal(0, exit);
        Assert.Equal("show protocols", bird.ReceivedCommand);
        Assert.StartsWith("Calico process is running.\n\nIPv4 BGP status\n+--", stdout, StringComparison.Ordinal);
        Assert.Contains("| 10.0.0.253   | node specific     | up    | 12:53:01 | Established                       |\n", stdout, StringComparison.Ordinal);
        Assert.Contains("| fd00::2      | node-to-node mesh | up    | 12:52:48 | Established |\n", stdout, StringComparison.Ordinal);
        Assert.EndsWith("+\n\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SocketMissing_ReportsQueryError()
    {
        using var dir = new TempDirectory("calico-node-status");
        var (exit, stdout, _) = await RunAsync(AllRunning, dir.File("absent.ctl"));
        Assert.Equal(0, exit);
        Assert.Contains("Error querying BIRD: unable to connect to BIRD socket " + dir.File("absent.ctl"), stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_NodeStatus_IsWired()
    {
        var result = await new CtlRunner(new Dictionary<string, string>()).RunAsync("node status");

        // Whether a calico-node runs on this machine is not the test's to decide; either answer is upstream's.
        Assert.True(
            (result.ExitCode == 1 && result.Err == "Calico process is not running.\n")
            || (result.ExitCode == 0 && result.Out.StartsWith("Calico process is running.\n", StringComparison.Ordinal)),
            result.ToString());
    }
}
