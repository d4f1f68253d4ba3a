using System.Net;
using System.Net.Sockets;
using Calico.Felix.Calc.Model;
using Calico.Linux;
using Calico.TestKit;

namespace Calico.Felix.Rules.Tests;

/// <summary>
/// Root tier: merged and unmerged renderings of the same policies decide real TCP connections alike. A host namespace
/// routes between two pods wired as the CNI plugin wires them; the server's ingress mixes Allow and Deny runs, a
/// policy that keeps its chain (Log), a Pass that must hide later lookups of its tier, and a v6-only rule.
/// </summary>
[Trait("Tier", "Root")]
public sealed class MergedRunsKernelTests
{
    private const string ClientIp = "10.65.0.1";
    private const string ServerIp = "10.65.0.2";
    private const int BasePort = 7000;

    /// <summary>Offset from <see cref="BasePort"/> → whether the client may connect (worked out by hand from <see cref="ServerPolicies"/>).</summary>
    private static readonly SortedDictionary<int, bool> Expected = new()
    {
        [1] = true, [2] = true, [3] = true, [4] = false, [5] = true, [6] = true, [7] = false, [8] = false, [9] = false, [10] = true,
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ServerIngress_MergedOrNot_DecidesConnectionsAsPolicyOrderSays(bool merge)
    {
        using WorkloadPairTestbed bed = await WorkloadPairTestbed.CreateAsync("cmr", ClientIp, ServerIp);
        (NetnsScope host, NetnsScope client, NetnsScope server) = (bed.Host, bed.Client, bed.Server);
        (string clientIf, string serverIf) = (bed.ClientIf, bed.ServerIf);

        DataplaneState state = ServerPolicies(clientIf, serverIf);
        NftTable table = NftablesRenderer.Build(state, new RenderConfig { MergeRuleRuns = merge }, NatInputs.None);
        Assert.Equal(merge, table.Sets.Any(s => s.Name.StartsWith("calim4-", StringComparison.Ordinal)));
        new KernelNft(host).Apply(table.ToFullTransaction(), merge ? "merged" : "unmerged");

        var listeners = new List<TcpListener>();
        try
        {
            foreach (int offset in Expected.Keys)
            {
                listeners.Add(await NetnsSockets.ListenAsync(server, BasePort + offset));
            }

            var probes = new List<Task<bool>>();
            foreach (int offset in Expected.Keys)
            {
                probes.Add(NetnsSockets.ConnectsAsync(client, IPAddress.Parse(ServerIp), BasePort + offset));
            }

            bool[] results = await Task.WhenAll(probes);
            var actual = new SortedDictionary<int, bool>();
            int i = 0;
            foreach (int offset in Expected.Keys)
            {
                actual[offset] = results[i++];
            }

            Assert.Equal(Expected, actual);
        }
        finally
        {
            foreach (TcpListener listener in listeners)
            {
                listener.Dispose();
            }
        }
    }

    private static DataplaneState ServerPolicies(string clientIf, string serverIf)
    {
        var state = new DataplaneState();
        state.Apply(new IpSetUpdate("s:client", IpSetType.Net, [ClientIp + "/32"]));
        state.Apply(new ActiveProfileUpdate("kns.prod", new ProfileIntent([new RuleModel { Action = RuleAction.Allow }], [new RuleModel { Action = RuleAction.Allow }])));
        static PolicyKey Key(string tier, string name) => MergedRuns.Key(tier, name);
        static RuleModel Tcp(RuleAction action, IReadOnlyList<string>? nets, string? set, params int[] offsets) => new()
        {
            Action = action,
            Protocol = 6,
            SrcNets = nets ?? [],
            SrcIpSetIds = set is null ? [] : [set],
            DstPorts = [.. offsets.Select(o => new PortRange(BasePort + o, BasePort + o))],
        };

        MergedRuns.Policy(state, Key("admin", "deny-8"), [Tcp(RuleAction.Deny, ["10.65.0.0/24"], null, 8)]);
        MergedRuns.Policy(state, Key("admin", "pass-9"), [Tcp(RuleAction.Pass, null, null, 9)]);
        MergedRuns.Policy(state, Key("admin", "allow-9-10"), [Tcp(RuleAction.Allow, null, "s:client", 9, 10)]);
        MergedRuns.Policy(state, Key("default", "allow-1-3"), [Tcp(RuleAction.Allow, null, "s:client", 1, 2, 3)]);
        MergedRuns.Policy(state, Key("default", "deny-2-4"), [Tcp(RuleAction.Deny, [ClientIp + "/32"], null, 2, 4)]);
        MergedRuns.Policy(state, Key("default", "log-allow-5"), [new RuleModel { Action = RuleAction.Log }, Tcp(RuleAction.Allow, null, null, 5)]);
        MergedRuns.Policy(state, Key("default", "allow-4-6"), [Tcp(RuleAction.Allow, null, null, 4, 6)]);
        MergedRuns.Policy(state, Key("default", "allow-7-v6"), [Tcp(RuleAction.Allow, null, null, 7) with { IpVersion = 6 }]);

        var admin = new TierIntent("admin", RuleAction.Pass, [Key("admin", "deny-8"), Key("admin", "pass-9"), Key("admin", "allow-9-10")], []);
        var dflt = new TierIntent(
            "default",
            RuleAction.Deny,
            [Key("default", "allow-1-3"), Key("default", "deny-2-4"), Key("default", "log-allow-5"), Key("default", "allow-4-6"), Key("default", "allow-7-v6")],
            []);
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(false, "prod", "client"), clientIf, [ClientIp + "/32"], [], [], ["kns.prod"])));
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(false, "prod", "server"), serverIf, [ServerIp + "/32"], [], [admin, dflt], ["kns.prod"])));
        return state;
    }
}
