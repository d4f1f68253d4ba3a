using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Calico.Linux;
using Xunit.Abstractions;

namespace Calico.Node.Tests.Kernel;

/// <summary>
/// Root tier, the real calico-node with <c>flowLogsLocalReporter: Enabled</c> and a 2 s flush interval: an allowed
/// TCP transfer between two pods and denied connections (pod to pod, outside to pod) appear in the local reporter's
/// flows.log with upstream's identities, the action, the enforced trace (a Pass in tier "security", then the
/// deciding rule in tier "default") and, for the transfer, bytes within 5 % of what was sent (conntrack counts IP
/// bytes, so headers add a little).
/// </summary>
[Trait("Tier", "Root")]
public sealed class FlowLogsKernelTests(AgentHostFixture host, ITestOutputHelper output) : IClassFixture<AgentHostFixture>
{
    private const int AllowedPort = 8080;
    private const int DeniedPort = 9090;
    private const int Payload = 4 * 1024 * 1024;
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Allowed_transfer_and_denied_connections_are_reported_with_identities_traces_and_bytes()
    {
        string flowsDir = host.Dir.File("flows");
        string flowsLog = Path.Combine(flowsDir, "flows.log");
        await host.ApplyAsync("""
            apiVersion: projectcalico.org/v3
            kind: FelixConfiguration
            metadata:
              name: default
            spec:
              flowLogsLocalReporter: Enabled
              flowLogsFlushInterval: 2s
            ---
            apiVersion: projectcalico.org/v3
            kind: Tier
            metadata:
              name: security
            spec:
              order: 100
            ---
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata:
              name: security.pass-web
            spec:
              tier: security
              selector: app == 'web'
              types: [Ingress]
              ingress:
              - action: Pass
            ---
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata:
              name: allow-web
              namespace: ns1
            spec:
              selector: app == 'web'
              types: [Ingress]
              ingress:
              - action: Allow
                protocol: TCP
                source:
                  selector: app == 'client'
                destination:
                  ports: [8080]
              - action: Deny
                protocol: TCP
                destination:
                  ports: [9090]
            """);
        host.ExtraEnvironment["CALICO_FLOW_LOGS_DIR"] = flowsDir;
        host.StopAgent(kill: false);
        await host.StartAgentAsync();

        Pod client = await host.AddPodAsync("flcli", "10.65.0.80", ("app", "client"));
        Pod web = await host.AddPodAsync("flweb", "10.65.0.81", ("app", "web"));
        await host.WaitForAsync(
            () => Task.FromResult(host.Nft($"list chain inet calico cali-tw-{web.HostInterface} 2>/dev/null || true").Contains("log prefix", StringComparison.Ordinal)),
            Converge, "the web pod's ingress chain with flow-log rules");

        // Allowed: the client sends Payload bytes, the server counts and closes.
        using TcpListener listener = await NetworkNamespace.RunInAsync("/var/run/netns/" + web.Netns, () =>
        {
            var l = new TcpListener(web.Address, AllowedPort);
            l.Start();
            return l;
        });
        Task<long> serverRead = ReadAllAsync(listener);
        using (Socket sender = await NetworkNamespace.RunInAsync("/var/run/netns/" + client.Netns, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)))
        {
            await sender.ConnectAsync(new IPEndPoint(web.Address, AllowedPort));
            byte[] chunk = new byte[64 * 1024];
            for (int sent = 0; sent < Payload; sent += chunk.Length)
            {
                await sender.SendAsync(chunk);
            }

            sender.Shutdown(SocketShutdown.Send);
            Assert.Equal(Payload, await serverRead.WaitAsync(Converge));
        }

        // Denied: pod to pod on the port rule 1 denies, and from the outside namespace (a public address).
        Assert.Null(await NetnsSockets.ProbeAsync(client.Netns, web.Address, DeniedPort, TimeSpan.FromSeconds(1)));
        Assert.Null(await NetnsSockets.ProbeAsync(host.OutsideNs, web.Address, DeniedPort, TimeSpan.FromSeconds(1)));

        List<JsonElement> flows = [];
        try
        {
            await host.WaitForAsync(() =>
            {
                flows = ReadFlows(flowsLog);
                long bytes = Matching(flows, "flcli", AllowedPort, "Allow").Sum(f => f.GetProperty("bytes_in").GetInt64());
                return Task.FromResult(bytes >= Payload
                    && Matching(flows, "flcli", DeniedPort, "Deny").Count > 0
                    && Matching(flows, "pub", DeniedPort, "Deny").Count > 0);
            }, Converge, "the allowed transfer's bytes and both denied connections in " + flowsLog);
        }
        catch (Xunit.Sdk.XunitException e)
        {
            // The flows seen so far say which part is missing.
            throw new InvalidOperationException(e.Message + "\nflows.log:\n" + (File.Exists(flowsLog) ? File.ReadAllText(flowsLog) : "(none)"), e);
        }

        List<JsonElement> allowed = Matching(flows, "flcli", AllowedPort, "Allow");
        JsonElement a = allowed[0];
        Assert.Equal(("WorkloadEndpoint", "ns1", "flweb", "ns1", "tcp"),
            (a.GetProperty("source_type").GetString(), a.GetProperty("source_namespace").GetString(),
             a.GetProperty("dest_name").GetString(), a.GetProperty("dest_namespace").GetString(), a.GetProperty("proto").GetString()));
        Assert.Equal("host1", a.GetProperty("node").GetString());
        Assert.Contains("app=web", a.GetProperty("dest_labels").EnumerateArray().Select(l => l.GetString()));
        Assert.Contains("app=client", a.GetProperty("source_labels").EnumerateArray().Select(l => l.GetString()));
        AssertTrace(a, ("security", "security.pass-web", "", "Pass", 0), ("default", "allow-web", "ns1", "Allow", 0));
        JsonElement connection = a.GetProperty("connections")[0];
        Assert.Equal(("10.65.0.80", "10.65.0.81"), (connection.GetProperty("source_ip").GetString(), connection.GetProperty("dest_ip").GetString()));
        Assert.NotEqual(0, connection.GetProperty("source_port").GetInt32());

        long bytesIn = allowed.Sum(f => f.GetProperty("bytes_in").GetInt64());
        output.WriteLine($"sent {Payload} payload bytes; flow logs counted {bytesIn} bytes in ({(double)bytesIn / Payload:F4}x) over {allowed.Count} records");
        Assert.InRange(bytesIn, Payload, Payload * 1.05);
        Assert.Equal(1, allowed.Sum(f => f.GetProperty("num_connections_started").GetInt64()));

        JsonElement denied = Matching(flows, "flcli", DeniedPort, "Deny")[0];
        AssertTrace(denied, ("security", "security.pass-web", "", "Pass", 0), ("default", "allow-web", "ns1", "Deny", 1));
        Assert.True(denied.GetProperty("packets_in").GetInt64() >= 1);

        JsonElement outside = Matching(flows, "pub", DeniedPort, "Deny")[0];
        Assert.Equal(("Network", "-"), (outside.GetProperty("source_type").GetString(), outside.GetProperty("source_namespace").GetString()));
        Assert.Equal(AgentHostFixture.OutsideAddress.ToString(), outside.GetProperty("connections")[0].GetProperty("source_ip").GetString());
    }

    private static List<JsonElement> ReadFlows(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        var flows = new List<JsonElement>();
        foreach (string line in File.ReadAllLines(path))
        {
            if (line.Length > 0)
            {
                flows.Add(JsonDocument.Parse(line).RootElement.Clone());
            }
        }

        return flows;
    }

    private static List<JsonElement> Matching(List<JsonElement> flows, string source, int port, string action) =>
        flows.Where(f => f.GetProperty("source_name").GetString() == source
                         && f.GetProperty("dest_name").GetString() == "flweb"
                         && f.GetProperty("dest_port").GetInt32() == port
                         && f.GetProperty("reporter").GetString() == "Dst"
                         && f.GetProperty("action").GetString() == action).ToList();

    private static void AssertTrace(JsonElement flow, params (string Tier, string Name, string Namespace, string Action, int RuleIndex)[] expected)
    {
        var hits = flow.GetProperty("policies").GetProperty("enforced_policies").EnumerateArray()
            .Select(h => (h.GetProperty("tier").GetString(), h.GetProperty("name").GetString(), h.GetProperty("namespace").GetString(),
                          h.GetProperty("action").GetString(), h.GetProperty("rule_index").GetInt32()))
            .ToList();
        Assert.Equal(expected.Select(e => ((string?)e.Tier, (string?)e.Name, (string?)e.Namespace, (string?)e.Action, e.RuleIndex)), hits);
    }

    private static async Task<long> ReadAllAsync(TcpListener listener)
    {
        using Socket s = await listener.AcceptSocketAsync();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = await s.ReceiveAsync(buffer)) > 0)
        {
            total += n;
        }

        return total;
    }
}
