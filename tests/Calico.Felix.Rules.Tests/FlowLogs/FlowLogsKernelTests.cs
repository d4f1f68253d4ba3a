using System.Net;
using System.Net.Sockets;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules.FlowLogs;
using Calico.Linux;
using Calico.Linux.Nflog;
using Calico.TestKit;
using Xunit.Abstractions;

namespace Calico.Felix.Rules.Tests.FlowLogs;

/// <summary>
/// Root tier: the rendered ruleset with flow logs on, in a host namespace routing between two pods wired as the CNI
/// plugin wires them; an NFLOG reader in the host namespace. Real TCP connections: each flow's log records decode
/// (through <see cref="FlowLogRuleTable"/>) to the rules that decided it, in evaluation order, and an allowed flow's
/// established packets log nothing.
/// </summary>
[Trait("Tier", "Root")]
public sealed class FlowLogsKernelTests(ITestOutputHelper output)
{
    private const string ClientIp = "10.66.0.1";
    private const string ServerIp = "10.66.0.2";
    private const int BasePort = 7100;

    [Fact]
    public async Task Connections_ThroughRenderedFlowLogRules_DecodeToTheDecidingRulesAndEstablishedPacketsDoNotLog()
    {
        using WorkloadPairTestbed bed = await WorkloadPairTestbed.CreateAsync("cfl", ClientIp, ServerIp);
        (NetnsScope host, NetnsScope client, NetnsScope server) = (bed.Host, bed.Client, bed.Server);
        (string clientIf, string serverIf) = (bed.ClientIf, bed.ServerIf);

        DataplaneState state = State(clientIf, serverIf);
        FlowLogRuleTable rules = FlowLogRuleTable.Build(state);
        new KernelNft(host).Apply(NftablesRenderer.Build(state, new RenderConfig { FlowLogs = true }, NatInputs.None).ToFullTransaction(), "flow logs");
        using NflogReader reader = await NflogReader.OpenInAsync(host.Path, [FlowLogPrefix.IngressGroup, FlowLogPrefix.EgressGroup], CancellationToken.None);
        System.Threading.Channels.ChannelReader<NflogPacket> packets = reader.Start();

        var listeners = new List<TcpListener>();
        try
        {
            foreach (int offset in (int[])[1, 8, 9, 10, 11])
            {
                listeners.Add(await NetnsSockets.ListenAsync(server, BasePort + offset));
            }

            // Port +1: allowed; 64 KiB each way after the handshake.
            using (Socket socket = await NetworkNamespace.RunInAsync(client.Path, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)))
            {
                await socket.ConnectAsync(IPAddress.Parse(ServerIp), BasePort + 1);
                using Socket accepted = await listeners[0].AcceptSocketAsync();
                byte[] data = new byte[64 * 1024];
                await socket.SendAsync(data);
                await accepted.SendAsync(data);
                await ReceiveExactly(accepted, data.Length);
                await ReceiveExactly(socket, data.Length);
            }

            bool[] outcomes = await Task.WhenAll(
                NetnsSockets.ConnectsAsync(client, IPAddress.Parse(ServerIp), BasePort + 8),
                NetnsSockets.ConnectsAsync(client, IPAddress.Parse(ServerIp), BasePort + 9),
                NetnsSockets.ConnectsAsync(client, IPAddress.Parse(ServerIp), BasePort + 10),
                NetnsSockets.ConnectsAsync(client, IPAddress.Parse(ServerIp), BasePort + 11));
            Assert.Equal([false, false, true, false], outcomes);
        }
        finally
        {
            foreach (TcpListener listener in listeners)
            {
                listener.Dispose();
            }
        }

        await Task.Delay(300);
        // Per flow (destination port) and direction: the two groups are separate queues, each in evaluation order.
        var traces = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        while (packets.TryRead(out NflogPacket? packet))
        {
            Assert.True(rules.TryGet(packet.Prefix, out FlowLogRule? rule), $"prefix {packet.Prefix} not in the table");
            Assert.Equal(FlowLogPrefix.Group(rule.Direction), packet.Group);
            string hit = $"{rule.Kind} {rule.Tier}/{rule.Name} #{rule.RuleIndex} {rule.Action}";
            string flow = $"{packet.DestinationPort - BasePort} {rule.Direction}";
            if (!traces.TryGetValue(flow, out List<string>? trace))
            {
                traces[flow] = trace = [];
            }

            // A retransmitted SYN of a dropped flow repeats its trace: keep each distinct hit once, in order.
            if (!trace.Contains(hit))
            {
                trace.Add(hit);
            }

            output.WriteLine($"{packet.Source}:{packet.SourcePort} -> {packet.Destination}:{packet.DestinationPort} {packet.Prefix} = {hit}");
        }

        string[] clientEgress = ["Profile /kns.prod #0 Allow"];
        const string AdminPass = "EndOfTier admin/ #-1 Pass";
        const string DefaultDrop = "EndOfTier default/ #-1 Deny";
        foreach (int port in (int[])[1, 8, 9, 10, 11])
        {
            Assert.Equal(clientEgress, traces[$"{port} Egress"]);
        }

        Assert.Equal([AdminPass, "GlobalNetworkPolicy default/allow-1 #0 Allow"], traces["1 Ingress"]);
        Assert.Equal(["GlobalNetworkPolicy admin/deny-8 #0 Deny"], traces["8 Ingress"]);
        Assert.Equal(["GlobalNetworkPolicy admin/pass-9 #0 Pass", DefaultDrop], traces["9 Ingress"]);
        Assert.Equal(["GlobalNetworkPolicy admin/allow-10 #1 Allow"], traces["10 Ingress"]);
        Assert.Equal([AdminPass, DefaultDrop], traces["11 Ingress"]);
        Assert.Equal(0, reader.Overflows);
    }

    [Fact]
    public async Task EstablishedPackets_OfAnAllowedFlow_LogNothing()
    {
        using WorkloadPairTestbed bed = await WorkloadPairTestbed.CreateAsync("cfe", ClientIp, ServerIp);
        (NetnsScope host, NetnsScope client, NetnsScope server) = (bed.Host, bed.Client, bed.Server);
        (string clientIf, string serverIf) = (bed.ClientIf, bed.ServerIf);
        DataplaneState state = State(clientIf, serverIf);
        new KernelNft(host).Apply(NftablesRenderer.Build(state, new RenderConfig { FlowLogs = true }, NatInputs.None).ToFullTransaction(), "flow logs");
        using NflogReader reader = await NflogReader.OpenInAsync(host.Path, [FlowLogPrefix.IngressGroup, FlowLogPrefix.EgressGroup], CancellationToken.None);
        using TcpListener listener = await NetnsSockets.ListenAsync(server, BasePort + 1);

        using Socket socket = await NetworkNamespace.RunInAsync(client.Path, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        await socket.ConnectAsync(IPAddress.Parse(ServerIp), BasePort + 1);
        using Socket accepted = await listener.AcceptSocketAsync();
        byte[] chunk = new byte[16 * 1024];
        for (int i = 0; i < 64; i++)
        {
            await socket.SendAsync(chunk);
            await ReceiveExactly(accepted, chunk.Length);
            await accepted.SendAsync(chunk.AsMemory(0, 100));
            await ReceiveExactly(socket, 100);
        }

        int logged = 0;
        while (reader.Read(TimeSpan.FromMilliseconds(300), _ => logged++) > 0)
        {
        }

        // The SYN only: the client's egress profile, the server's admin tier passing, its default-tier allow. Nothing
        // for the ~200 later packets.
        Assert.Equal(3, logged);
    }

    private static DataplaneState State(string clientIf, string serverIf)
    {
        var state = new DataplaneState();
        state.Apply(new ActiveProfileUpdate("kns.prod", new ProfileIntent([new RuleModel { Action = RuleAction.Allow }], [new RuleModel { Action = RuleAction.Allow }])));
        static RuleModel Tcp(RuleAction action, int offset, int index = 0) => new()
        {
            Action = action,
            Protocol = 6,
            DstPorts = [new PortRange(BasePort + offset, BasePort + offset)],
            Index = index,
        };

        MergedRuns.Policy(state, MergedRuns.Key("admin", "deny-8"), [Tcp(RuleAction.Deny, 8)]);
        MergedRuns.Policy(state, MergedRuns.Key("admin", "pass-9"), [Tcp(RuleAction.Pass, 9)]);
        MergedRuns.Policy(state, MergedRuns.Key("admin", "allow-10"), [new RuleModel { Action = RuleAction.Log, Protocol = 6 }, Tcp(RuleAction.Allow, 10, index: 1)]);
        MergedRuns.Policy(state, MergedRuns.Key("default", "allow-1"), [Tcp(RuleAction.Allow, 1)]);
        var admin = new TierIntent("admin", RuleAction.Pass, [MergedRuns.Key("admin", "deny-8"), MergedRuns.Key("admin", "pass-9"), MergedRuns.Key("admin", "allow-10")], []);
        var dflt = new TierIntent("default", RuleAction.Deny, [MergedRuns.Key("default", "allow-1")], []);
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(false, "prod", "client"), clientIf, [ClientIp + "/32"], [], [], ["kns.prod"])));
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(false, "prod", "server"), serverIf, [ServerIp + "/32"], [], [admin, dflt], ["kns.prod"])));
        return state;
    }

    private static async Task ReceiveExactly(Socket socket, int count)
    {
        byte[] buffer = new byte[count];
        int total = 0;
        while (total < count)
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory(total));
            Assert.True(read > 0, "connection closed early");
            total += read;
        }
    }
}
