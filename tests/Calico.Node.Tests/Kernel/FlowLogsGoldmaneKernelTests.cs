using System.Net;
using System.Net.Sockets;
using Calico.Goldmane.Api;
using Calico.Linux;
using Calico.TestKit;
using Grpc.Net.Client;

namespace Calico.Node.Tests.Kernel;

/// <summary>
/// Root tier, end to end with the real goldmane binary in the host's namespace: calico-node with
/// <c>flowLogsGoldmaneServer</c> streams a denied connection's flow, which goldmane's <c>Flows.List</c> returns with
/// the enforced trace; after goldmane restarts (its memory gone) calico-node reconnects and resends it.
/// </summary>
[Trait("Tier", "Root")]
public sealed class FlowLogsGoldmaneKernelTests(AgentHostFixture host) : IClassFixture<AgentHostFixture>, IDisposable
{
    private const int GrpcPort = 7443;
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(40);
    private readonly ChildProcess _children = new();

    [Fact]
    public async Task Denied_flow_reaches_goldmane_and_is_resent_after_goldmane_restarts()
    {
        System.Diagnostics.Process goldmane = StartGoldmane();
        await host.ApplyAsync("""
            apiVersion: projectcalico.org/v3
            kind: FelixConfiguration
            metadata:
              name: default
            spec:
              flowLogsGoldmaneServer: 127.0.0.1:7443
              flowLogsFlushInterval: 2s
            ---
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata:
              name: deny-db
              namespace: ns1
            spec:
              selector: app == 'db'
              types: [Ingress]
              ingress:
              - action: Deny
                protocol: TCP
                destination:
                  ports: [5432]
            """);
        host.StopAgent(kill: false);
        await host.StartAgentAsync();
        Pod client = await host.AddPodAsync("gmcli", "10.65.0.90", ("app", "client"));
        Pod db = await host.AddPodAsync("gmdb", "10.65.0.91", ("app", "db"));
        await host.WaitForAsync(
            () => Task.FromResult(host.Nft($"list chain inet calico cali-tw-{db.HostInterface} 2>/dev/null || true").Contains("log prefix", StringComparison.Ordinal)),
            Converge, "the db pod's ingress chain with flow-log rules");
        Assert.Null(await NetnsSockets.ProbeAsync(client.Netns, db.Address, 5432, TimeSpan.FromSeconds(1)));

        FlowResult found = await WaitForDeniedAsync();
        Assert.Equal(("gmcli", "ns1", EndpointType.WorkloadEndpoint, Reporter.Dst), (found.Flow.Key.SourceName, found.Flow.Key.SourceNamespace, found.Flow.Key.SourceType, found.Flow.Key.Reporter));
        PolicyHit hit = Assert.Single(found.Flow.Key.Policies.EnforcedPolicies);
        Assert.Equal((PolicyKind.CalicoNetworkPolicy, "default", "ns1", "deny-db", Calico.Goldmane.Api.Action.Deny, 0L),
            (hit.Kind, hit.Tier, hit.Namespace, hit.Name, hit.Action, hit.RuleIndex));

        // goldmane restarts with nothing in memory; no new traffic: the flow comes back only by calico-node's resend.
        ChildProcess.Kill(goldmane);
        goldmane.WaitForExit(10_000);
        StartGoldmane();
        await WaitForDeniedAsync();
    }

    public void Dispose() => _children.Dispose();

    private System.Diagnostics.Process StartGoldmane()
    {
        string apphost = GoldmaneBinary();
        return _children.Start("ip", ["netns", "exec", host.HostNs, apphost, "--listen-address", "127.0.0.1", "--port", GrpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture)], new Dictionary<string, string>());
    }

    /// <summary>
    /// goldmane as the solution build or build.sh leaves it (a project reference would put ASP.NET's framework into
    /// calico-node's test output and break its apphost).
    /// </summary>
    private static string GoldmaneBinary()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Calico.sln")))
            {
                continue;
            }

            foreach (string candidate in (string[])["out/bin/goldmane", "src/Calico.Goldmane/bin/Debug/net10.0/goldmane", "src/Calico.Goldmane/bin/Release/net10.0/goldmane"])
            {
                string path = Path.Combine(dir.FullName, candidate);
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }

        throw new InvalidOperationException("goldmane is not built: run ./build.sh or dotnet build src/Calico.Goldmane");
    }

    private async Task<FlowResult> WaitForDeniedAsync()
    {
        FlowResult? found = null;
        await host.WaitForAsync(async () =>
        {
            found = await ListDeniedAsync();
            return found is not null;
        }, Converge, "the denied flow to gmdb:5432 in goldmane's Flows.List");
        return found!;
    }

    /// <summary>Flows.List through a connection made inside the host's namespace (goldmane listens on its loopback).</summary>
    private async Task<FlowResult?> ListDeniedAsync()
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                Socket socket = await NetworkNamespace.RunInAsync("/var/run/netns/" + host.HostNs, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp), cancellationToken);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, GrpcPort), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var channel = GrpcChannel.ForAddress("http://127.0.0.1:" + GrpcPort, new GrpcChannelOptions { HttpHandler = handler });
        var request = new FlowListRequest { Filter = new Filter() };
        request.Filter.Actions.Add(Calico.Goldmane.Api.Action.Deny);
        request.Filter.DestNames.Add(new StringMatch { Value = "gmdb", Type = Calico.Goldmane.Api.MatchType.Exact });
        try
        {
            FlowListResult result = await new Flows.FlowsClient(channel).ListAsync(request, deadline: DateTime.UtcNow.AddSeconds(3));
            return result.Flows.FirstOrDefault(f => f.Flow.Key.DestPort == 5432);
        }
        catch (Grpc.Core.RpcException)
        {
            return null;
        }
    }
}
