using System.Net;
using System.Net.Sockets;
using Calico.Felix.Bpf;
using Calico.Felix.Calc.Model;
using Calico.Felix.Dataplane.Bpf;
using Calico.Felix.FlowLogs;
using Calico.Felix.Rules;
using Calico.Goldmane.Api;
using Calico.Linux;
using Calico.Linux.Bpf;
using Calico.Linux.Netlink;
using Calico.Node.FlowLogs;
using Calico.Reachability;
using Calico.TestKit;
using Microsoft.Extensions.Logging.Abstractions;
using Action = Calico.Goldmane.Api.Action;

namespace Calico.Node.Tests.FlowLogs;

/// <summary>
/// Flow logs with bpfEnabled over real packets: a host namespace with two workload namespaces on cali veths, the
/// programs attached by <see cref="BpfWorkloadDataplane"/> with flow logs on, the collector's
/// <see cref="BpfFlowSource"/> reading the ring buffer and the per-flow counters from the pins (a bpffs of the test's
/// own), and the aggregator's records as the judge: an allowed TCP connection between the workloads (handed peer to
/// peer, untracked by the kernel) with its bytes, and a denied ping, each with the policy rule that decided.
/// </summary>
[Trait("Tier", "Root")]
public sealed class BpfFlowLogsRootTests : IDisposable
{
    private const string AddressA = "10.65.0.2";
    private const string AddressB = "10.65.0.3";
    private const string IfaceA = "califa0";
    private const string IfaceB = "califb0";
    private const int Port = 8080;
    private const int Payload = 200_000;

    private static readonly Dictionary<IPNetwork, bool> Pools = new() { [IPNetwork.Parse("10.65.0.0/16")] = true };

    private readonly TempDirectory _dir = new("calico-bpf-fl");
    private readonly NetnsScope _host;
    private readonly NetnsScope _a;
    private readonly NetnsScope _b;
    private readonly RouteNetlink _netlink;
    private readonly string _root;
    private readonly string _object;
    private readonly bool _mounted;

    public BpfFlowLogsRootTests()
    {
        IpTool.RequireRootTier();
        _host = new NetnsScope("calfh");
        _a = new NetnsScope("calfa");
        _b = new NetnsScope("calfb");
        try
        {
            _host.Ip("link", "add", "eth0", "type", "veth", "peer", "name", "eth0-peer");
            _host.Ip("link", "set", "eth0-peer", "up");
            _host.Ip("link", "set", "eth0", "up");
            _host.Ip("addr", "add", "192.168.1.1/24", "dev", "eth0");
            _host.Ip("route", "add", "default", "via", "192.168.1.254", "dev", "eth0");
            Workload(_a, IfaceA, AddressA);
            Workload(_b, IfaceB, AddressB);
            _host.Exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
            _netlink = RouteNetlink.OpenInAsync(_host.Path, CancellationToken.None).GetAwaiter().GetResult();
            _root = _dir.File("bpffs");
            _mounted = BpfFilesystem.EnsureMounted(_root);
            _object = BpfTestPrograms.Compile("bpf/calico_tc.c", _dir.Path);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private static bool IsWorkload(string name) => name.StartsWith("cali", StringComparison.Ordinal);

    [Fact]
    public async Task FlowLogsOn_AllowedTcpWithItsBytes_AndADeniedPing_AreReportedWithTheirRules()
    {
        DataplaneState state = State();
        using var dataplane = await InHostAsync(() => BpfWorkloadDataplane.Start(_root, _object, _netlink, NullLogger.Instance));
        await InHostAsync(() => dataplane.Apply(state, new RenderConfig { FlowLogs = true }, IsWorkload, Pools));

        var source = new BpfFlowSource(_root);
        using var stop = new CancellationTokenSource();
        Task reading = Task.Factory.StartNew(() => source.Run(stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var aggregator = new FlowAggregator(new FlowAggregatorOptions(), new NoPrefixes(), TimeProvider.System)
        {
            EnforcedTraces = new EnginePendingTraceSource(new PolicyEvaluator(state)),
        };
        try
        {
            // The first connection teaches the programs the workloads' MACs; the second goes peer to peer.
            await TransferAsync(Payload);
            await TransferAsync(Payload);
            Assert.False(Ping(_a, AddressB), "B's ingress policy denies ICMP");

            // Per TCP connection: A's egress and B's ingress allow (2 events); the ping: A's egress allows, B's ingress denies.
            var events = new List<BpfFlowEvent>();
            using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
            {
                while (events.Count < 6 && await source.Events.WaitToReadAsync(deadline.Token))
                {
                    while (source.Events.TryRead(out BpfFlowEvent? e))
                    {
                        if (IsTheTestsTraffic(e))
                        {
                            events.Add(e);
                        }
                    }
                }
            }

            Assert.True(events.Count == 6, string.Join("\n", events.Select(e => e.ToString())));
            foreach (BpfFlowEvent e in events)
            {
                aggregator.ObserveBpfVerdict(e);
            }

            aggregator.BeginConntrackDump();
            Assert.True(source.Sample(aggregator, BpfConntrackScanner.MonotonicNowNs()), "the counters' pins are there");
            IReadOnlyList<FlowRecord> records = aggregator.Flush(dumpComplete: true);
            string all = string.Join("\n", records.Select(r => r.Flow.ToString()));

            Flow tcpIn = Assert.Single(records, r => r.Flow.Key.Proto == "tcp" && r.Flow.Key.Reporter == Reporter.Dst).Flow;
            Assert.Equal((Action.Allow, (long)Port), (tcpIn.Key.Action, tcpIn.Key.DestPort));
            Assert.Equal(2, tcpIn.NumConnectionsStarted);
            Assert.True(tcpIn.BytesIn >= 2L * Payload, "B received both payloads: " + all);
            Assert.True(tcpIn.PacketsOut > 0, "B's acknowledgements are counted: " + all);
            PolicyHit allowedBy = tcpIn.Key.Policies.EnforcedPolicies[^1];
            Assert.Equal(("icmp-to-b", 1L, Action.Allow), (allowedBy.Name, allowedBy.RuleIndex, allowedBy.Action));

            Flow tcpOut = Assert.Single(records, r => r.Flow.Key.Proto == "tcp" && r.Flow.Key.Reporter == Reporter.Src).Flow;
            Assert.True(tcpOut.BytesOut >= 2L * Payload, "A sent both payloads: " + all);

            Flow pingIn = Assert.Single(records, r => r.Flow.Key.Proto == "icmp" && r.Flow.Key.Reporter == Reporter.Dst).Flow;
            Assert.Equal(Action.Deny, pingIn.Key.Action);
            Assert.Equal(1, pingIn.PacketsIn);
            PolicyHit deniedBy = pingIn.Key.Policies.EnforcedPolicies[^1];
            Assert.Equal(("icmp-to-b", 0L, Action.Deny), (deniedBy.Name, deniedBy.RuleIndex, deniedBy.Action));
            Assert.Equal(0, aggregator.Counters.BpfTraceMismatches);

            // Flow logs off: nothing is emitted. Then on again: the first event is the ping after it (the ring is in order).
            await InHostAsync(() => dataplane.Apply(state, new RenderConfig { FlowLogs = false }, IsWorkload, Pools));
            await TransferAsync(1000);
            Assert.False(Ping(_a, AddressB));
            await InHostAsync(() => dataplane.Apply(state, new RenderConfig { FlowLogs = true }, IsWorkload, Pools));
            Assert.False(Ping(_a, AddressB));
            using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
            {
                Assert.True(await source.Events.WaitToReadAsync(deadline.Token));
            }

            BpfFlowEvent? next;
            do
            {
                Assert.True(source.Events.TryRead(out next));
            }
            while (!IsTheTestsTraffic(next));
            Assert.Equal((1, BpfPolicyDirection.Egress), (next.Tuple.Protocol, next.Direction));
        }

        finally
        {
            await stop.CancelAsync();
            await reading;
        }
    }

    /// <summary>
    /// The test's IPv4 flows. The new veths' own IPv6 multicast listener reports (MLDv2, ICMPv6 143, sent by the kernel at
    /// random moments after a link comes up) meet policy too, as upstream's (it exempts only 130-133, 135 and 136), so
    /// their events may come at any point of the test.
    /// </summary>
    private static bool IsTheTestsTraffic(BpfFlowEvent e) => e.Tuple.Dst.AddressFamily == AddressFamily.InterNetwork;

    private sealed class NoPrefixes : IFlowLogPrefixDecoder
    {
        public bool TryDecode(string prefix, FlowTuple tuple, out Reporter reporter, out PolicyHit hit)
        {
            reporter = Reporter.Unspecified;
            hit = null!;
            return false;
        }
    }

    /// <summary>One TCP connection from A to B's port <see cref="Port"/> carrying <paramref name="bytes"/>, read whole by B.</summary>
    private async Task TransferAsync(int bytes)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        TcpListener listener = await NetworkNamespace.RunInAsync(_b.Path, () =>
        {
            var l = new TcpListener(IPAddress.Any, Port);
            l.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            l.Start();
            return l;
        });
        try
        {
            using Socket client = await NetworkNamespace.RunInAsync(_a.Path, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
            await client.ConnectAsync(new IPEndPoint(IPAddress.Parse(AddressB), Port), timeout.Token);
            using Socket server = await listener.AcceptSocketAsync(timeout.Token);
            Task sending = client.SendAsync(new byte[bytes], timeout.Token).AsTask();
            var buffer = new byte[65536];
            int received = 0;
            while (received < bytes)
            {
                int n = await server.ReceiveAsync(buffer, timeout.Token);
                Assert.True(n > 0, "the connection closed early");
                received += n;
            }

            await sending;
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>A with a profile allowing everything; B with policy icmp-to-b: ingress rule 0 denies ICMP, rule 1 allows TCP.</summary>
    private static DataplaneState State()
    {
        var state = new DataplaneState();
        var policy = new PolicyKey("default", PolicyKinds.GlobalNetworkPolicy, null, "icmp-to-b");
        state.Apply(new ActivePolicyUpdate(policy, new PolicyIntent(
            [new RuleModel { Action = RuleAction.Deny, Protocol = 1, Index = 0 }, new RuleModel { Action = RuleAction.Allow, Protocol = 6, Index = 1 }],
            [new RuleModel { Action = RuleAction.Allow, Index = 0 }])));
        state.Apply(new ActiveProfileUpdate("open", new ProfileIntent(
            [new RuleModel { Action = RuleAction.Allow, Index = 0 }],
            [new RuleModel { Action = RuleAction.Allow, Index = 0 }])));
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(false, "ns", "a"), IfaceA, [AddressA + "/32"], [], [], ["open"])));
        state.Apply(new EndpointUpdate(new EndpointIntent(
            new EndpointKey(false, "ns", "b"), IfaceB, [AddressB + "/32"], [], [new TierIntent("default", RuleAction.Deny, [policy], [policy])], [])));
        return state;
    }

    private void Workload(NetnsScope workload, string iface, string address)
    {
        _host.Ip("link", "add", iface, "type", "veth", "peer", "name", "eth0", "netns", workload.Name);
        _host.Ip("link", "set", iface, "up");
        _host.Exec("sysctl", "-qw", $"net.ipv4.conf.{iface}.proxy_arp=1");
        _host.Exec("sysctl", "-qw", $"net.ipv4.neigh.{iface}.proxy_delay=0");
        _host.Ip("route", "add", address + "/32", "dev", iface);
        workload.Ip("link", "set", "lo", "up");
        workload.Ip("link", "set", "eth0", "up");
        workload.Ip("addr", "add", address + "/32", "dev", "eth0");
        workload.Ip("route", "add", "169.254.1.1", "dev", "eth0", "scope", "link");
        workload.Ip("route", "add", "default", "via", "169.254.1.1", "dev", "eth0");
    }

    private static bool Ping(NetnsScope from, string to) => from.Exec("ping", "-c", "1", "-W", "1", to).ExitCode == 0;

    private Task<T> InHostAsync<T>(Func<T> action) => NetworkNamespace.RunInAsync(_host.Path, action);

    public void Dispose()
    {
        _netlink?.Dispose();
        _a?.Dispose();
        _b?.Dispose();
        _host?.Dispose();
        if (_mounted)
        {
            BpfFilesystem.Unmount(_root);
        }

        _dir.Dispose();
    }
}
