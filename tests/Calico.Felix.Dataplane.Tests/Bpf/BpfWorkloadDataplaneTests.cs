using System.Net;
using System.Net.Sockets;
using Calico.Felix.Bpf;
using Calico.Felix.Calc.Model;
using Calico.Felix.Dataplane.Bpf;
using Calico.Felix.Rules;
using Calico.Linux;
using Calico.Linux.Bpf;
using Calico.Linux.Netlink;
using Calico.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Felix.Dataplane.Tests.Bpf;

/// <summary>
/// The eBPF workload dataplane over real packets: a host namespace with two workload namespaces on cali veths, the
/// programs attached by <see cref="BpfWorkloadDataplane"/>, policy written into maps pinned on a bpffs of the test's
/// own, pings between the workloads as the judge. One namespace set per test (each test starts from nothing).
/// </summary>
[Trait("Tier", "Root")]
public sealed class BpfWorkloadDataplaneTests : IDisposable
{
    private const string AddressA = "10.65.0.2";
    private const string AddressB = "10.65.0.3";
    private const string Address6A = "fd00:65::2";
    private const string Address6B = "fd00:65::3";
    private const string IfaceA = "caliwa0";

    /// <summary>The workloads' pools, as calico-node gives them with no host endpoint: the fast paths may run.</summary>
    private static readonly Dictionary<IPNetwork, bool> Pools = new() { [IPNetwork.Parse("10.65.0.0/16")] = true, [IPNetwork.Parse("fd00:65::/48")] = true };
    private const string IfaceB = "caliwb0";

    private readonly TempDirectory _dir = new("calico-bpf-wl");
    private readonly NetnsScope _host;
    private readonly NetnsScope _a;
    private readonly NetnsScope _b;
    private readonly RouteNetlink _netlink;
    private readonly string _root;
    private readonly string _object;
    private readonly bool _mounted;

    public BpfWorkloadDataplaneTests()
    {
        IpTool.RequireRootTier();
        _host = new NetnsScope("calbh");
        _a = new NetnsScope("calba");
        _b = new NetnsScope("calbb");
        try
        {
            // An uplink with a default route: proxy ARP answers for 169.254.1.1 only when the host has a route to it.
            _host.Ip("link", "add", "eth0", "type", "veth", "peer", "name", "eth0-peer");
            _host.Ip("link", "set", "eth0-peer", "up");
            _host.Ip("link", "set", "eth0", "up");
            _host.Ip("addr", "add", "192.168.1.1/24", "dev", "eth0");
            _host.Ip("route", "add", "default", "via", "192.168.1.254", "dev", "eth0");
            Workload(_a, IfaceA, AddressA, Address6A);
            Workload(_b, IfaceB, AddressB, Address6B);
            _host.Exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
            _host.Exec("sysctl", "-qw", "net.ipv6.conf.all.forwarding=1");
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
    public async Task Policy_IsEnforced_ChangesApply_AndEnforcementOutlivesTheAgent()
    {
        var dataplane = await InHostAsync(() => BpfWorkloadDataplane.Start(_root, _object, _netlink, NullLogger.Instance));
        try
        {
            BpfApplyResult first = await InHostAsync(() => dataplane.Apply(State(RuleAction.Allow), new RenderConfig(), IsWorkload));
            Assert.True(first.Full);
            Assert.Equal(2, first.Attached);
            Assert.True(Ping(_a, AddressB), "B's ingress policy allows ICMP: the ping should pass; reasons " + Reasons());

            BpfApplyResult second = await InHostAsync(() => dataplane.Apply(State(RuleAction.Deny), new RenderConfig(), IsWorkload));
            Assert.False(second.Full);
            Assert.Equal(0, second.Attached);
            Assert.False(Ping(_a, AddressB), "B's ingress policy now denies ICMP: the ping should fail");
            Assert.True(Ping(_b, AddressA), "A's ingress allows everything: B can still ping A");

            // An agent killed: its fds go, the attached programs and pinned maps stay, and so does enforcement.
            dataplane.Dispose();
            Assert.False(Ping(_a, AddressB), "with the agent gone the deny must stay in force");
            Assert.True(Ping(_b, AddressA), "with the agent gone A must stay reachable");
        }
        finally
        {
            dataplane.Dispose();
        }

        // The next agent reuses the pins, resyncs in full above the old ids and sweeps what the old one wrote.
        using var next = await InHostAsync(() => BpfWorkloadDataplane.Start(_root, _object, _netlink, NullLogger.Instance));
        using (var rules = BpfMap.OpenPinned(BpfMapLayout.PinPath(_root, BpfMapLayout.RuleMap)))
        {
            Assert.NotEmpty(rules.Keys());
        }

        BpfApplyResult resync = await InHostAsync(() => next.Apply(State(RuleAction.Allow), new RenderConfig(), IsWorkload));
        Assert.True(resync.Full);
        Assert.True(Ping(_a, AddressB), "the new agent's allow should be in force");
        Assert.Null(await InHostAsync(() => next.FindDrift(IsWorkload)));

        await InHostAsync(() => next.Stop(IsWorkload));
        Assert.False(File.Exists(BpfMapLayout.PinPath(_root, BpfMapLayout.RuleMap)));
        Assert.Null(await InHostAsync(() => BpfTc.Query(BpfTc.InterfaceIndex(IfaceB), TcDirection.Egress)));
    }

    [Fact]
    public async Task OneRuleToggled_OnTheAgentsOwnState_CompilesThatPolicyAlone_AndTheMapsHoldThePlan()
    {
        // As the agent does: one state, updated in place (the changed policy's intent object replaced).
        using var dataplane = await InHostAsync(() => BpfWorkloadDataplane.Start(_root, _object, _netlink, NullLogger.Instance));
        DataplaneState state = State(RuleAction.Allow);
        var key = new PolicyKey("default", PolicyKinds.GlobalNetworkPolicy, null, "icmp-to-b");
        await InHostAsync(() => dataplane.Apply(state, new RenderConfig(), IsWorkload));
        for (int i = 0; i < 4; i++)
        {
            bool deny = i % 2 == 0;
            PolicyIntent policy = state.Policies[key];
            state.Apply(new ActivePolicyUpdate(key, policy with { InboundRules = [policy.InboundRules[0] with { Action = deny ? RuleAction.Deny : RuleAction.Allow }, policy.InboundRules[1]] }));
            ulong generationBefore = PolicyGeneration();
            BpfApplyResult result = await InHostAsync(() => dataplane.Apply(state, new RenderConfig(), IsWorkload));

            // Every verdict the programs kept is stale once the change is written (the pings below meet the new rule).
            Assert.True(PolicyGeneration() > generationBefore, "a policy write must bump cali_gen");
            Assert.False(result.Full);
            Assert.Equal(1, result.FragmentsCompiled); // the policy's ingress rules; its egress and the profile reused
            Assert.InRange(result.WritesBeforeEnforced, 1, result.Writes);
            Assert.Equal(!deny, Ping(_a, AddressB));
            Assert.Null(await InHostAsync(() => dataplane.FindDrift(IsWorkload))); // the kernel holds exactly the plan
        }

        // Nothing changed: nothing written, the kept verdicts stay.
        ulong unchanged = PolicyGeneration();
        await InHostAsync(() => dataplane.Apply(state, new RenderConfig(), IsWorkload));
        Assert.Equal(unchanged, PolicyGeneration());
    }

    private ulong PolicyGeneration()
    {
        using var map = BpfMap.OpenPinned(BpfMapLayout.PinPath(_root, BpfMapLayout.GenerationMap));
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(map.Lookup(new byte[4]));
    }

    [Fact]
    public async Task APinOfAnotherDefinition_IsReplacedAtStart_AndLogged_TheOtherPinsReused()
    {
        // What an earlier calico_tc.o left: the same maps, but a conntrack map of another size (libbpf reuses a pin
        // only of the same definition, and would refuse the whole load).
        var kept = BpfMapLayout.HostIpKey(IPAddress.Parse("192.0.2.1"));
        await InHostAsync(() =>
        {
            using var earlier = BpfObject.Open(_object);
            foreach (string map in BpfMapLayout.AllMaps)
            {
                earlier.Map(map).SetPinPath(BpfMapLayout.PinPath(_root, map));
            }

            earlier.Map(BpfMapLayout.ConntrackMap).SetMaxEntries(1024);
            earlier.Load();
            earlier.Map(BpfMapLayout.HostIpMap).Update(kept, BpfMapLayout.IpSetValue());
        });

        var log = new RecordingLogger();
        using var dataplane = await InHostAsync(() => BpfWorkloadDataplane.Start(_root, _object, _netlink, log));

        using var conntrack = BpfMap.OpenPinned(BpfMapLayout.PinPath(_root, BpfMapLayout.ConntrackMap));
        Assert.Equal(512000u, conntrack.ReadInfo().MaxEntries);
        using var hostIps = BpfMap.OpenPinned(BpfMapLayout.PinPath(_root, BpfMapLayout.HostIpMap));
        Assert.NotNull(hostIps.Lookup(kept)); // reused, contents and all
        string line = Assert.Single(log.Lines, l => l.Contains("cali_ct", StringComparison.Ordinal));
        Assert.Contains("max entries 1024 pinned, 512000 wanted", line, StringComparison.Ordinal);
    }

    private sealed class RecordingLogger : Microsoft.Extensions.Logging.ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            lock (Lines)
            {
                Lines.Add(formatter(state, exception));
            }
        }
    }

    [Fact]
    public async Task Leftovers_OfAKilledBpfModeAgent_AreRemovedWhenBpfIsOff()
    {
        using (var killed = await InHostAsync(() => BpfWorkloadDataplane.Start(_root, _object, _netlink, NullLogger.Instance)))
        {
            await InHostAsync(() => killed.Apply(State(RuleAction.Deny), new RenderConfig(), IsWorkload));
        }

        Assert.NotNull(await InHostAsync(() => BpfTc.Query(BpfTc.InterfaceIndex(IfaceB), TcDirection.Egress)));
        Assert.False(Ping(_a, AddressB), "the killed agent's deny is still in force");

        await InHostAsync(() => BpfWorkloadDataplane.RemoveLeftovers(_root, _netlink, IsWorkload, NullLogger.Instance));

        Assert.Null(await InHostAsync(() => BpfTc.Query(BpfTc.InterfaceIndex(IfaceB), TcDirection.Egress)));
        Assert.Null(await InHostAsync(() => BpfTc.Query(BpfTc.InterfaceIndex(IfaceA), TcDirection.Ingress)));
        Assert.All(BpfMapLayout.AllMaps, map => Assert.False(File.Exists(BpfMapLayout.PinPath(_root, map)), map));
        Assert.True(Ping(_a, AddressB), "no program left: the ping passes (this namespace has no table)");
    }

    [Fact]
    public async Task Drift_ADetachedProgramOrAnEditedEntry_IsFoundAndRepaired()
    {
        using var dataplane = await InHostAsync(() => BpfWorkloadDataplane.Start(_root, _object, _netlink, NullLogger.Instance));
        DataplaneState deny = State(RuleAction.Deny);
        await InHostAsync(() => dataplane.Apply(deny, new RenderConfig(), IsWorkload));
        Assert.False(Ping(_a, AddressB));

        // Detached by hand: B's ingress policy is gone, the ping passes until repaired.
        _host.Ip("link", "set", IfaceB, "down");
        _host.Exec("tc", "filter", "del", "dev", IfaceB, "egress");
        _host.Ip("link", "set", IfaceB, "up");
        string? drift = await InHostAsync(() => dataplane.FindDrift(IsWorkload));
        Assert.NotNull(drift);
        Assert.Contains(IfaceB + " tc egress: missing", drift, StringComparison.Ordinal);
        BpfApplyResult repaired = await InHostAsync(() => dataplane.Apply(deny, new RenderConfig(), IsWorkload));
        Assert.True(repaired.Full);
        Assert.Equal(1, repaired.Attached);
        Assert.False(Ping(_a, AddressB), "reattached: the deny is back");

        // An endpoint entry changed by hand (pointed at no table: everything from A dropped... here A's egress allowed).
        using (var eps = BpfMap.OpenPinned(BpfMapLayout.PinPath(_root, BpfMapLayout.EndpointMap)))
        {
            uint ifindexB = (uint)await InHostAsync(() => BpfTc.InterfaceIndex(IfaceB));
            eps.Update(BpfMapLayout.EndpointKey(ifindexB), BpfMapLayout.EndpointValue(BpfMapLayout.EndpointWorkload, 0, 0, EndpointToHostAction.Accept));
        }

        string? edited = await InHostAsync(() => dataplane.FindDrift(IsWorkload));
        Assert.NotNull(edited);
        Assert.Contains("cali_eps: 0 missing, 0 unexpected, 1 changed", edited, StringComparison.Ordinal);
        await InHostAsync(() => dataplane.Apply(deny, new RenderConfig(), IsWorkload));
        Assert.Null(await InHostAsync(() => dataplane.FindDrift(IsWorkload)));
        Assert.False(Ping(_a, AddressB));
        await InHostAsync(() => dataplane.Stop(IsWorkload));
    }

    [Fact]
    public async Task EnteringBpfMode_PicksUpTheKernelsConnections_SoARepliedFlowSurvivesAnEgressDeny()
    {
        // The kernel tracks forwarded flows in this namespace only once a table asks for conntrack, as calico's does.
        var (exit, _, error) = _host.Exec("nft", "add table inet calt ; add chain inet calt cf { type filter hook forward priority 0 ; } ; add rule inet calt cf ct state established accept");
        Assert.True(exit == 0, error);
        using TcpListener listener = await ListenAsync(_b.Path, IPAddress.Any);
        using Socket client = await NetworkNamespace.RunInAsync(_a.Path, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        await client.ConnectAsync(IPAddress.Parse(AddressB), 8080);
        using Socket server = await listener.AcceptSocketAsync();
        await RoundTripAsync(client, server);

        // B: ingress allows TCP, egress has a policy with no rule (end of tier: deny). Its replies are not new flows only
        // because the open connection was picked up from the kernel.
        using var dataplane = await InHostAsync(() => BpfWorkloadDataplane.Start(_root, _object, _netlink, NullLogger.Instance));
        await InHostAsync(() => dataplane.Apply(State(RuleAction.Allow, bEgress: []), new RenderConfig(), IsWorkload));
        Assert.True(dataplane.PickedUpConnections >= 1, "the open connection should have been picked up; kernel: " + _host.Exec("conntrack", "-L").Output);

        // The server speaks first: its packet is a reply of a known flow, not a new flow from B (which B's egress denies;
        // the client, with nothing to send, would never open it again).
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            var buffer = new byte[4];
            await server.SendAsync("push"u8.ToArray(), timeout.Token);
            Assert.Equal(4, await client.ReceiveAsync(buffer, timeout.Token));
        }

        await RoundTripAsync(client, server);

        Assert.False(Ping(_b, AddressA), "B's egress denies: a new flow from B is dropped");
        Assert.True(await ConnectsAsync(_a, AddressB, 8080), "a new connection to B is allowed, its replies pass through conntrack");
        await InHostAsync(() => dataplane.Stop(IsWorkload));
    }

    [Fact]
    public async Task EstablishedFlowBetweenLocalWorkloads_IsHandedToThePeer_SkippingTheHostsForwarding()
    {
        // Counts what the host's stack forwards between A and B, each way.
        CountForwarded("calfp", "ip", AddressA, AddressB);
        using var dataplane = await InHostAsync(() => BpfWorkloadDataplane.Start(_root, _object, _netlink, NullLogger.Instance));
        await InHostAsync(() => dataplane.Apply(State(RuleAction.Allow), new RenderConfig(), IsWorkload, Pools));
        // The workloads' own addresses listed with their interfaces (the new flow's local-destination and source
        // checks read these rather than the FIB).
        using (BpfMap workloadIps = BpfMap.OpenPinned(BpfMapLayout.PinPath(_root, BpfMapLayout.WorkloadIpMap)))
        {
            foreach (var (address, iface) in new[] { (AddressA, IfaceA), (AddressB, IfaceB), (Address6A, IfaceA) })
            {
                uint ifindex = await InHostAsync(() => (uint)BpfTc.InterfaceIndex(iface));
                Assert.Equal(BpfMapLayout.WorkloadIpValue(ifindex), workloadIps.Lookup(BpfMapLayout.HostIpKey(IPAddress.Parse(address))));
            }
        }

        using TcpListener listener = await ListenAsync(_b.Path, IPAddress.Any);
        using Socket client = await NetworkNamespace.RunInAsync(_a.Path, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        await client.ConnectAsync(IPAddress.Parse(AddressB), 8080);
        using Socket server = await listener.AcceptSocketAsync();
        const int RoundTrips = 200;
        for (int i = 0; i < RoundTrips; i++)
        {
            await RoundTripAsync(client, server); // the payload arriving intact also checks the rewritten IP checksum
        }

        long[] forwarded = ForwardedPackets("calfp");
        // The handshake's first packets take the stack (policy, and the MACs learned), the rest goes peer to peer.
        Assert.True(forwarded[0] <= 3 && forwarded[1] <= 3,
            $"of {RoundTrips} round trips, the host forwarded {forwarded[0]} packets A->B and {forwarded[1]} B->A; reasons {Reasons()}");

        // Both MACs known: a new connection takes no packet through the stack at all (A's hook evaluates B's ingress
        // policy too, and hands the SYN over).
        using (Socket second = await NetworkNamespace.RunInAsync(_a.Path, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)))
        {
            await second.ConnectAsync(IPAddress.Parse(AddressB), 8080);
            using Socket secondServer = await listener.AcceptSocketAsync();
            await RoundTripAsync(second, secondServer);
        }

        long[] afterSecond = ForwardedPackets("calfp");
        Assert.True(afterSecond[0] == forwarded[0] && afterSecond[1] == forwarded[1],
            $"a new connection between known workloads went through the host: {forwarded[0]}/{forwarded[1]} -> {afterSecond[0]}/{afterSecond[1]}");

        // Policy still decides new flows: B's ingress now denies ICMP, and the open connection keeps working.
        await InHostAsync(() => dataplane.Apply(State(RuleAction.Deny), new RenderConfig(), IsWorkload, Pools));
        Assert.False(Ping(_a, AddressB), "B's ingress denies ICMP");
        await RoundTripAsync(client, server);
        await InHostAsync(() => dataplane.Stop(IsWorkload));
    }

    [Fact]
    public async Task Ipv6_EstablishedFlowBetweenLocalWorkloads_IsHandedToThePeer()
    {
        CountForwarded("calfp6", "ip6", Address6A, Address6B);
        using var dataplane = await InHostAsync(() => BpfWorkloadDataplane.Start(_root, _object, _netlink, NullLogger.Instance));
        await InHostAsync(() => dataplane.Apply(State(RuleAction.Allow), new RenderConfig(), IsWorkload, Pools));

        using TcpListener listener = await ListenAsync(_b.Path, IPAddress.IPv6Any);
        for (int connection = 0; connection < 2; connection++)
        {
            using Socket client = await NetworkNamespace.RunInAsync(_a.Path, () => new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp));
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            {
                await client.ConnectAsync(new IPEndPoint(IPAddress.Parse(Address6B), 8080), timeout.Token);
            }

            using Socket server = await listener.AcceptSocketAsync();
            for (int i = 0; i < 100; i++)
            {
                await RoundTripAsync(client, server);
            }
        }

        long[] forwarded = ForwardedPackets("calfp6");
        Assert.True(forwarded[0] <= 3 && forwarded[1] <= 3,
            $"of 2 connections' 200 round trips over IPv6, the host forwarded {forwarded[0]} packets A->B and {forwarded[1]} B->A; reasons {Reasons()}");
        await InHostAsync(() => dataplane.Stop(IsWorkload));
    }

    [Fact]
    public async Task FlowsWithAWorkloadElsewhere_SkipThisHostsStack_BothWays_OnlyWhenTheirPoolsAreGiven()
    {
        // The uplink's far end becomes a remote host with a "pod" address of another pool behind it.
        using var remote = new NetnsScope("calbr");
        _host.Ip("link", "set", "eth0-peer", "netns", remote.Name);
        remote.Ip("addr", "add", "192.168.1.254/24", "dev", "eth0-peer");
        remote.Ip("link", "set", "eth0-peer", "up");
        remote.Ip("link", "set", "lo", "up");
        remote.Ip("addr", "add", RemotePod + "/32", "dev", "lo");
        remote.Ip("route", "add", "10.65.0.0/16", "via", "192.168.1.1", "src", RemotePod);
        CountForwarded("calfo", "ip", AddressA, RemotePod);
        CountForwarded("calfi", "ip", RemotePod, AddressB);
        using var dataplane = await InHostAsync(() => BpfWorkloadDataplane.Start(_root, _object, _netlink, NullLogger.Instance));
        var pools = new Dictionary<IPNetwork, bool> { [IPNetwork.Parse("10.65.0.0/16")] = true, [IPNetwork.Parse("10.66.0.0/16")] = true };
        static bool IsUplink(string name) => name == "eth0";
        await InHostAsync(() => dataplane.Apply(State(RuleAction.Allow), new RenderConfig(), IsWorkload, pools, IsUplink));
        using TcpListener listener = await ListenAsync(remote.Path, IPAddress.Any);
        using TcpListener listenerB = await ListenAsync(_b.Path, IPAddress.Any);

        // Out: A's packets leave through the uplink from A's hook; in: the replies are handed to A from the uplink's.
        await ExchangeAsync(_a, listener, RemotePod, 100);
        long[] fast = ForwardedPackets("calfo");
        Assert.True(fast[0] <= 3 && fast[1] <= 3,
            $"A <-> the remote pod: the host forwarded {fast[0]} out and {fast[1]} in of ~200 packets each way (only a flow's first packets, before the MACs are known, should take the stack); reasons {Reasons()}");

        // A flow opened from outside meets B's ingress policy at the uplink: allowed TCP is handed over, ICMP denied.
        await ExchangeAsync(remote, listenerB, AddressB, 100);
        long[] inbound = ForwardedPackets("calfi");
        Assert.True(inbound[0] <= 3 && inbound[1] <= 3,
            $"the remote pod <-> B (opened from outside): the host forwarded {inbound[0]} in and {inbound[1]} out of ~200 packets each way; reasons {Reasons()}");
        Assert.True(Ping(remote, AddressB), "B's ingress allows ICMP");
        await InHostAsync(() => dataplane.Apply(State(RuleAction.Deny), new RenderConfig(), IsWorkload, pools, IsUplink));
        Assert.False(Ping(remote, AddressB), "B's ingress now denies ICMP, also for packets arriving through the uplink's program");
        Assert.True(Ping(remote, AddressA), "A's profile allows ICMP in");

        // Without the pools (as while a host endpoint exists): every packet takes the stack, both ways.
        await InHostAsync(() => dataplane.Apply(State(RuleAction.Allow), new RenderConfig(), IsWorkload, new Dictionary<IPNetwork, bool>(), IsUplink));
        await ExchangeAsync(_a, listener, RemotePod, 100);
        long[] slow = ForwardedPackets("calfo");
        Assert.True(slow[0] - fast[0] >= 100 && slow[1] - fast[1] >= 100,
            $"with no pool given, A <-> the remote pod should take the stack: {fast[0]}/{fast[1]} -> {slow[0]}/{slow[1]} forwarded");

        // Leaving BPF mode takes the uplink's program off too.
        await InHostAsync(() => dataplane.Stop(IsWorkload));
        Assert.Null(await InHostAsync(() => BpfTc.Query(BpfTc.InterfaceIndex("eth0"), TcDirection.Ingress)));
    }

    [Fact]
    public async Task AllowSpoofedSourcePrefixes_LetANewFlowFromThem_OnlyWithWorkloadSourceSpoofingAny()
    {
        const string Spoofed = "10.99.0.5";
        _a.Ip("addr", "add", Spoofed + "/32", "dev", "eth0");
        _host.Exec("sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0");
        _host.Exec("sysctl", "-qw", $"net.ipv4.conf.{IfaceA}.rp_filter=0");
        DataplaneState state = State(RuleAction.Allow);
        EndpointIntent a = state.Endpoints[new EndpointKey(false, "ns", "a")];
        state.Apply(new EndpointUpdate(a with { AllowSpoofedSourcePrefixes = ["10.99.0.0/24"] }));
        var policy = new PolicyKey("default", PolicyKinds.GlobalNetworkPolicy, null, "icmp-to-b");
        state.Apply(new ActivePolicyUpdate(policy, new PolicyIntent([new RuleModel { Action = RuleAction.Allow, Index = 0 }], [new RuleModel { Action = RuleAction.Allow, Index = 0 }])));
        using var dataplane = await InHostAsync(() => BpfWorkloadDataplane.Start(_root, _object, _netlink, NullLogger.Instance));
        using Socket receiver = await NetworkNamespace.RunInAsync(_b.Path, () =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Any, 8081));
            return socket;
        });

        // workloadSourceSpoofing off (upstream's default): the prefixes are ignored and the spoofed source dropped.
        await InHostAsync(() => dataplane.Apply(state, new RenderConfig(), IsWorkload, Pools));
        Assert.False(await SendsAsync(Spoofed, 40001, receiver), "a source not routed to A, spoofing not allowed: dropped");
        await InHostAsync(() => dataplane.Apply(state, new RenderConfig { AllowWorkloadSourceSpoofing = true }, IsWorkload, Pools));
        Assert.True(await SendsAsync(Spoofed, 40002, receiver), $"a source in A's allowSpoofedSourcePrefixes with workloadSourceSpoofing Any passes; reasons {Reasons()}");
        Assert.False(await SendsAsync("10.98.0.5", 40003, receiver, addAddress: true), "a source outside the prefixes is still dropped");
        await InHostAsync(() => dataplane.Stop(IsWorkload));
    }

    /// <summary>A UDP datagram from A with source <paramref name="source"/>:<paramref name="port"/> to B; whether B got it within a second.</summary>
    private async Task<bool> SendsAsync(string source, int port, Socket receiver, bool addAddress = false)
    {
        if (addAddress)
        {
            _a.Ip("addr", "add", source + "/32", "dev", "eth0");
        }

        using Socket sender = await NetworkNamespace.RunInAsync(_a.Path, () =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Parse(source), port));
            return socket;
        });
        await sender.SendToAsync("spoof"u8.ToArray(), new IPEndPoint(IPAddress.Parse(AddressB), 8081));
        var buffer = new byte[16];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            SocketReceiveFromResult got = await receiver.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), timeout.Token);
            return ((IPEndPoint)got.RemoteEndPoint).Address.ToString() == source;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return false;
        }
    }

    private const string RemotePod = "10.66.0.9";

    /// <summary>A connection from <paramref name="from"/> to <paramref name="listener"/> at <paramref name="to"/>, and <paramref name="roundTrips"/> round trips on it.</summary>
    private static async Task ExchangeAsync(NetnsScope from, TcpListener listener, string to, int roundTrips)
    {
        using Socket client = await NetworkNamespace.RunInAsync(from.Path, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await client.ConnectAsync(new IPEndPoint(IPAddress.Parse(to), 8080), timeout.Token);
        }

        using Socket server = await listener.AcceptSocketAsync();
        for (int i = 0; i < roundTrips; i++)
        {
            await RoundTripAsync(client, server);
        }
    }

    /// <summary>A table of the test's own in the host counting what its stack forwards from → to (rule 0) and back (rule 1).</summary>
    private void CountForwarded(string table, string family, string from, string to)
    {
        var (exit, _, error) = _host.Exec("nft",
            $"add table inet {table} ; add chain inet {table} cf {{ type filter hook forward priority 0 ; }} ; " +
            $"add rule inet {table} cf {family} saddr {from} {family} daddr {to} counter ; add rule inet {table} cf {family} saddr {to} {family} daddr {from} counter");
        Assert.True(exit == 0, error);
    }

    /// <summary>A TCP listener on port 8080 inside the namespace at <paramref name="netnsPath"/>.</summary>
    private static Task<TcpListener> ListenAsync(string netnsPath, IPAddress any) => NetworkNamespace.RunInAsync(netnsPath, () =>
    {
        var listener = new TcpListener(any, 8080);
        listener.Start();
        return listener;
    });

    /// <summary>The packet counts of the counter rules of table inet <paramref name="table"/>'s chain cf, in order.</summary>
    private long[] ForwardedPackets(string table)
    {
        string listing = _host.Exec("nft", $"list chain inet {table} cf").Output;
        return [.. System.Text.RegularExpressions.Regex.Matches(listing, @"counter packets (\d+)").Select(static m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];
    }

    private static async Task RoundTripAsync(Socket client, Socket server)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var buffer = new byte[4];
        await client.SendAsync("ping"u8.ToArray(), timeout.Token);
        Assert.Equal(4, await server.ReceiveAsync(buffer, timeout.Token));
        await server.SendAsync("pong"u8.ToArray(), timeout.Token);
        Assert.Equal(4, await client.ReceiveAsync(buffer, timeout.Token));
    }

    private static async Task<bool> ConnectsAsync(NetnsScope from, string address, int port)
    {
        using Socket socket = await NetworkNamespace.RunInAsync(from.Path, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(address), port), timeout.Token);
            return true;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>A with a profile allowing everything both ways; B with a policy whose ingress rule is ICMP with <paramref name="icmp"/>.</summary>
    private static DataplaneState State(RuleAction icmp, IReadOnlyList<RuleModel>? bEgress = null)
    {
        var state = new DataplaneState();
        var policy = new PolicyKey("default", PolicyKinds.GlobalNetworkPolicy, null, "icmp-to-b");
        state.Apply(new ActivePolicyUpdate(policy, new PolicyIntent(
            [new RuleModel { Action = icmp, Protocol = 1, Index = 0 }, new RuleModel { Action = RuleAction.Allow, Protocol = 6, Index = 1 }],
            bEgress ?? [new RuleModel { Action = RuleAction.Allow, Index = 0 }])));
        state.Apply(new ActiveProfileUpdate("open", new ProfileIntent(
            [new RuleModel { Action = RuleAction.Allow, Index = 0 }],
            [new RuleModel { Action = RuleAction.Allow, Index = 0 }])));
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(false, "ns", "a"), IfaceA, [AddressA + "/32", Address6A + "/128"], [], [], ["open"])));
        state.Apply(new EndpointUpdate(new EndpointIntent(
            new EndpointKey(false, "ns", "b"), IfaceB, [AddressB + "/32", Address6B + "/128"], [], [new TierIntent("default", RuleAction.Deny, [policy], [policy])], [])));
        return state;
    }

    private void Workload(NetnsScope workload, string iface, string address, string address6)
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

        // IPv6 as calico's: the pod's default route via the host side's link-local address, a /128 route per pod.
        _host.Ip("-6", "addr", "add", "fe80::1/64", "dev", iface, "nodad");
        _host.Ip("-6", "route", "add", address6 + "/128", "dev", iface);
        workload.Ip("-6", "addr", "add", address6 + "/128", "dev", "eth0", "nodad");
        workload.Ip("-6", "route", "add", "default", "via", "fe80::1", "dev", "eth0");
    }

    /// <summary>cali_reasons' non-zero packet counts, for a failure's message.</summary>
    private string Reasons()
    {
        using var reasons = BpfMap.OpenPinned(BpfMapLayout.PinPath(_root, BpfMapLayout.ReasonMap));
        var parts = new List<string>();
        for (uint i = 0; i < 16; i++)
        {
            if (reasons.Lookup(BitConverter.GetBytes(i)) is { } value && BitConverter.ToUInt64(value) > 0)
            {
                parts.Add($"{i}={BitConverter.ToUInt64(value)}");
            }
        }

        return string.Join(",", parts);
    }

    private static bool Ping(NetnsScope from, string to) => from.Exec("ping", "-c", "1", "-W", "1", to).ExitCode == 0;

    private Task<T> InHostAsync<T>(Func<T> action) => NetworkNamespace.RunInAsync(_host.Path, action);

    private Task<bool> InHostAsync(Action action) => NetworkNamespace.RunInAsync(_host.Path, () =>
    {
        action();
        return true;
    });

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
