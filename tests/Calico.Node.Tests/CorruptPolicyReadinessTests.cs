using System.Text;
using Calico.Api;
using Calico.Client;
using Calico.Datastore.Syncer;
using Calico.Felix.Agent;
using Calico.Felix.Rules;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Node.Tests;

/// <summary>
/// A policy never read (corrupt value, no last good version) as calico-node's health and metrics endpoints show it:
/// the agent's report through <see cref="NodeServices"/>.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class CorruptPolicyReadinessTests
{
    private static readonly byte[] Garbage = Encoding.UTF8.GetBytes("{\"kind\":\"GlobalNetworkPolicy\",\"spec\":{\"selector\":");

    [Fact]
    public async Task CorruptPolicy_WithoutLastGoodVersion_ShownOnReadinessAndInMetric()
    {
        await using var services = NodeServices.Create(TextWriter.Null, new Dictionary<string, string>());
        var driver = new RecordingDataplaneDriver();
        var agent = FelixAgent.Create("host1", driver, _ => new RenderConfig(), TimeSpan.FromMinutes(5), services.Telemetry, NullLogger.Instance, TimeSpan.FromMilliseconds(20));
        using var stop = new CancellationTokenSource();
        var running = Task.Run(() => agent.RunAsync(stop.Token));
        try
        {
            string storeKey = ResourceIdentity.Key(ResourceKinds.GlobalNetworkPolicy, null, "lost");
            agent.OnUpdates([Put(Tier("default", 1_000_000)), Put(Wep("web")), new SyncUpdate(SyncUpdateType.New, storeKey, Garbage, 8)]);
            agent.OnStatusUpdated(SyncStatus.InSync);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await driver.Applied.Reader.ReadAsync(timeout.Token);

            for (int i = 0; i < 500 && !services.Health.Summarize().Reporters.Any(r => r.Reason.Contains(storeKey, StringComparison.Ordinal)); i++)
            {
                await Task.Delay(10);
            }

            // /readiness as an orchestrator reads it.
            using var stopServer = new CancellationTokenSource();
            var server = Calico.Observability.Http.HttpEndpointServer.Bind("127.0.0.1", 0, Calico.Observability.Health.HealthEndpoints.Create(services.Health));
            var serving = server.RunAsync(stopServer.Token);
            using var http = new HttpClient();
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{server.Port}/readiness"));
            string table = await response.Content.ReadAsStringAsync();
            await stopServer.CancelAsync();
            await serving;

            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Contains($"corrupt datastore values, failing closed: {storeKey} (deny-all): ", table, StringComparison.Ordinal);

            using var metrics = new MemoryStream();
            await services.Registry.WriteTextAsync(metrics, CancellationToken.None);
            Assert.Contains(
                $"felix_corrupt_resources{{kind=\"GlobalNetworkPolicy\",key=\"{storeKey}\",handling=\"deny-all\"}} 1",
                Encoding.UTF8.GetString(metrics.ToArray()),
                StringComparison.Ordinal);
        }
        finally
        {
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        }
    }

    private static SyncUpdate Put(Resource r)
    {
        var kind = ResourceKinds.Of(r);
        return new SyncUpdate(SyncUpdateType.New, ResourceIdentity.Key(kind, r.Metadata.Namespace, r.Metadata.Name!), ResourceCodec.ToStorageJson(r), 1);
    }

    private static Tier Tier(string name, double order)
    {
        var tier = new Tier { Metadata = { Name = name } };
        tier.Spec.Order = order;
        tier.Spec.DefaultAction = "Deny";
        return tier;
    }

    private static WorkloadEndpoint Wep(string pod)
    {
        var wep = new WorkloadEndpoint { Metadata = { Name = "host1-k8s-" + pod + "-eth0", Namespace = "ns1", Labels = new() { ["pod"] = pod } } };
        wep.Spec.Node = "host1";
        wep.Spec.Orchestrator = "k8s";
        wep.Spec.Pod = pod;
        wep.Spec.Endpoint = "eth0";
        wep.Spec.InterfaceName = "cali" + pod.PadRight(11, '0')[..11];
        wep.Spec.IpNetworks = ["10.65.0." + (pod.Length + 1) + "/32"];
        wep.Spec.Profiles = ["kns.ns1"];
        return wep;
    }
}
