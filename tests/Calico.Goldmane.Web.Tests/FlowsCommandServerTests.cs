using System.Net;
using System.Net.Sockets;
using System.Text.Json;

using Calico.Ctl.Tests;

namespace Calico.Goldmane.Web.Tests;

/// <summary>
/// <c>calicoctl flows</c> end to end over gRPC: the real command (in-process) against Goldmane's Flows service on a
/// loopback port, and against a port nothing listens on. (Against the real goldmane binary: the lab's tests.)
/// </summary>
[Trait("Tier", "Root")]
public sealed class FlowsCommandServerTests(FlowsServerFixture server) : IClassFixture<FlowsServerFixture>
{
    [Fact]
    public async Task Flows_ListsEveryFlowNewestFirst()
    {
        var result = await Run($"flows --server {server.Address}");

        Assert.True(result.ExitCode == 0, result.ToString());
        string[] lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Contains("tools/curl", lines[1], StringComparison.Ordinal);
        Assert.Contains("db/postgres", lines[2], StringComparison.Ordinal);
        Assert.Contains("backend/api", lines[3], StringComparison.Ordinal);
        Assert.Single(server.Service.TakeRequests());
    }

    [Fact]
    public async Task Flows_NamespaceMatchesEitherEnd_AnswersMerged()
    {
        var result = await Run($"flows --server {server.Address} -n frontend -o json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var doc = JsonDocument.Parse(result.Out);
        Assert.Equal(["postgres", "api"], doc.RootElement.EnumerateArray().Select(f => f.GetProperty("dest_name").GetString()));
        Assert.Equal(2, server.Service.TakeRequests().Count);
    }

    [Fact]
    public async Task Flows_ActionAndSince_ServerFromEnvironment()
    {
        var result = await new CtlRunner(new Dictionary<string, string> { ["CALICO_FLOWS_SERVER"] = server.Address })
            .RunAsync("flows --action Deny --since 1m -o yaml");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("dest_name: postgres", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("dest_name: api", result.Out, StringComparison.Ordinal);
        var request = Assert.Single(server.Service.TakeRequests());
        Assert.Equal(-60, request.StartTimeGte);
    }

    [Fact]
    public async Task Flows_StagedPolicyFilter_FindsThePendingTrace()
    {
        var result = await Run($"flows --server {server.Address} --policy backend/lockdown -o wide");

        Assert.True(result.ExitCode == 0, result.ToString());
        string[] lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("staged policy would deny: default/backend/staged:lockdown rule 0 Deny", lines[1], StringComparison.Ordinal);
        server.Service.TakeRequests();
    }

    [Fact]
    public async Task Flows_NothingListening_ErrorNamesTheAddress()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await Run($"flows --server 127.0.0.1:{port}");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"cannot reach the flow aggregator at 127.0.0.1:{port}", result.Err, StringComparison.Ordinal);
        Assert.Equal("", result.Out);
    }

    private static Task<CtlResult> Run(string commandLine) => new CtlRunner(new Dictionary<string, string>()).RunAsync(commandLine);
}
