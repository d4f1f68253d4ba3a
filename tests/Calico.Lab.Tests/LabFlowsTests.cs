using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Calico.Lab.Cluster;
using Calico.TestKit;

namespace Calico.Lab.Tests;

/// <summary>
/// Cluster tier: <c>up</c> runs the flow aggregator in the fabric namespace, prints its two endpoints (both answer
/// from the machine's namespace through the relay), points calico-node at it and turns on conntrack accounting in
/// the host's namespace only; <c>down</c> stops the aggregator and the relay.
/// </summary>
[Trait("Tier", "Cluster")]
public sealed partial class LabFlowsTests
{
    [Fact]
    public async Task Up_RunsTheAggregator_ReachableFromTheMachine_NodesPointedAtIt_DownStopsIt()
    {
        IpTool.RequireRootTier();
        Prerequisites.Require("bird");
        const string acct = "/proc/sys/net/netfilter/nf_conntrack_acct";
        var machineAcct = File.Exists(acct) ? await File.ReadAllTextAsync(acct) : null;
        using var lab = new LabRunner();
        var output = await lab.MustAsync("up");

        var grpc = GrpcLine().Match(output);
        var web = WebLine().Match(output);
        Assert.True(grpc.Success && web.Success, "up prints 'flows gRPC: 127.0.0.1:<port>' and 'flows web: http://127.0.0.1:<port>/':\n" + output);
        Assert.Contains("CALICO_FLOWS_SERVER=" + grpc.Groups[1].Value, output, StringComparison.Ordinal);

        // Both answer from the machine's namespace: gRPC Flows.List through the generated client, the web view over HTTP.
        using (var api = new FlowsApi(grpc.Groups[1].Value))
        {
            Assert.NotNull(await api.ListAsync());
        }

        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
        {
            using var response = await http.GetAsync(new Uri(web.Groups[1].Value));
            Assert.True(response.IsSuccessStatusCode, $"GET {web.Groups[1].Value}: {(int)response.StatusCode}");
        }

        var state = LabStateFile.Load(LabLayout.Create(lab.Name, lab.StateDir));
        var flows = Assert.IsType<LabFlowsState>(state.Flows);
        var aggregator = Assert.IsType<LabProcess>(flows.Aggregator);
        var relay = Assert.IsType<LabProcess>(flows.Relay);
        Assert.True(DetachedProcess.IsRunning(aggregator), "the aggregator runs");
        Assert.True(DetachedProcess.IsRunning(relay), "the relay runs");
        Assert.Equal("172.30.0.1:7443", flows.Server);

        // calico-node is pointed at it, with the lab's flush interval.
        var node = Assert.IsType<LabProcess>(state.Hosts[0].Node);
        var environment = (await File.ReadAllTextAsync($"/proc/{node.Pid.ToString(CultureInfo.InvariantCulture)}/environ")).Split('\0');
        Assert.Contains("FELIX_FLOWLOGSGOLDMANESERVER=172.30.0.1:7443", environment);
        Assert.Contains("FELIX_FLOWLOGSFLUSHINTERVAL=15", environment);

        // The host reaches it on the fabric; conntrack accounting is on in the host's namespace, the machine's is untouched.
        var reach = await LabRunner.InNetnsAsync(lab.Netns("host1"), "bash", "-c", "exec 3<>/dev/tcp/172.30.0.1/7443");
        Assert.True(reach.ExitCode == 0, "host1 cannot connect to 172.30.0.1:7443: " + reach.Error);
        var hostAcct = await LabRunner.InNetnsAsync(lab.Netns("host1"), "cat", acct);
        Assert.Equal("1", hostAcct.Output.Trim());
        if (machineAcct is not null)
        {
            Assert.Equal(machineAcct, await File.ReadAllTextAsync(acct));
        }

        Assert.Contains("is down", await lab.MustAsync("down"), StringComparison.Ordinal);
        Assert.False(DetachedProcess.IsAlive(aggregator.Pid), "the aggregator is stopped");
        Assert.False(DetachedProcess.IsAlive(relay.Pid), "the relay is stopped");
        using var probe = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => probe.ConnectAsync(System.Net.IPEndPoint.Parse(grpc.Groups[1].Value)));
    }

    [GeneratedRegex(@"^flows gRPC: (127\.0\.0\.1:[0-9]+)$", RegexOptions.Multiline)]
    private static partial Regex GrpcLine();

    [GeneratedRegex(@"^flows web: (http://127\.0\.0\.1:[0-9]+/)$", RegexOptions.Multiline)]
    private static partial Regex WebLine();
}
