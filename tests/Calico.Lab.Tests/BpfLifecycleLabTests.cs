using System.Net;
using System.Net.Sockets;
using Calico.Lab.Cluster;
using Calico.Linux;
using Calico.TestKit;

namespace Calico.Lab.Tests;

/// <summary>
/// Root tier, one host on the eBPF dataplane, three pods: a stream from a to b keeps flowing, and a flow from c to b
/// that policy denies stays denied, through a SIGKILL of calico-node (the attached programs and pinned maps enforce
/// on their own), its restart (a full resync against the pinned maps), switching bpfEnabled off (the table's chains
/// back before the programs go) and on again (the programs, with the connection picked up from the kernel's
/// conntrack, before the chains go).
/// </summary>
[Trait("Tier", "Root")]
public sealed class BpfLifecycleLabTests
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task KillNine_Restart_AndSwitchingModes_KeepAStreamFlowing_AndADeniedFlowDenied()
    {
        IpTool.RequireRootTier();
        Prerequisites.Require("bird");
        using var lab = new LabRunner();
        await lab.MustAsync("up", "--dataplane", "bpf", "--no-flows");
        var layout = LabLayout.Create(lab.Name, lab.StateDir);
        await lab.MustAsync("run", "host1", "x/a");
        await lab.MustAsync("run", "host1", "x/b", "--serve", "TCP/80");
        await lab.MustAsync("run", "host1", "x/c");
        LabState state = LabStateFile.Load(layout);
        LabPod a = state.Pods.Single(p => p.Name == "a");
        LabPod b = state.Pods.Single(p => p.Name == "b");
        LabPod c = state.Pods.Single(p => p.Name == "c");

        await lab.CalicoctlAsync($"""
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata:
              name: deny-c
            spec:
              selector: all()
              types: [Ingress]
              ingress:
                - action: Deny
                  source:
                    nets: [{c.Address}/32]
                - action: Allow
            """, "apply", "-f", "-");
        Assert.True(await LabRunner.EventuallyAsync(async () => !await ConnectsAsync(c, b.Address, 80), Converge), "c -> b never became denied");
        Assert.True(await ConnectsAsync(a, b.Address, 80), "a -> b should be allowed");

        using TcpListener listener = await NetworkNamespace.RunInAsync(LabLayout.NetnsPath(b.Netns), () =>
        {
            var l = new TcpListener(IPAddress.Any, 9000);
            l.Start();
            return l;
        });
        using Socket client = await NetworkNamespace.RunInAsync(LabLayout.NetnsPath(a.Netns), () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        await client.ConnectAsync(IPAddress.Parse(b.Address), 9000);
        using Socket server = await listener.AcceptSocketAsync();
        using var stop = new CancellationTokenSource();
        var stream = new Stream(client, server, stop.Token);
        try
        {
            await stream.AssertFlowsAsync("at the start");
            Assert.Contains("0xca1", Uplink(lab), StringComparison.Ordinal); // the fast path in, on the host's data interface


            await LabNodes.KillAsync(layout, "host1", CancellationToken.None);
            await stream.AssertFlowsAsync("with calico-node killed");
            Assert.False(await ConnectsAsync(c, b.Address, 80), "with calico-node killed the deny must stay in force");

            await LabNodes.StartAgainAsync(layout, "host1", CancellationToken.None);
            await stream.AssertFlowsAsync("after calico-node restarted");
            Assert.False(await ConnectsAsync(c, b.Address, 80), "after the restart the deny must stay in force");

            await lab.CalicoctlAsync(null, "patch", "felixconfiguration", "default", "-p", """{"spec":{"bpfEnabled":false}}""");
            Assert.True(await LabRunner.EventuallyAsync(() => Task.FromResult(Table(lab).Contains("chain cali-tw-", StringComparison.Ordinal) && !Filters(lab, b).Contains("0xca1", StringComparison.Ordinal)), Converge),
                "bpfEnabled off: the table's endpoint chains never came back, or our filter stayed");
            Assert.DoesNotContain("0xca1", Uplink(lab), StringComparison.Ordinal);
            await stream.AssertFlowsAsync("after switching to nftables");
            Assert.False(await ConnectsAsync(c, b.Address, 80), "in nftables mode the deny must be in force");

            await lab.CalicoctlAsync(null, "patch", "felixconfiguration", "default", "-p", """{"spec":{"bpfEnabled":true}}""");
            Assert.True(await LabRunner.EventuallyAsync(() => Task.FromResult(!Table(lab).Contains("chain cali-tw-", StringComparison.Ordinal) && Filters(lab, b).Contains("0xca1", StringComparison.Ordinal)), Converge),
                "bpfEnabled on: the programs never came back, or the table kept its endpoint chains");
            await stream.AssertFlowsAsync("after switching back to BPF");
            Assert.False(await ConnectsAsync(c, b.Address, 80), "back in BPF mode the deny must be in force");
            Assert.True(await ConnectsAsync(a, b.Address, 80), "back in BPF mode a new allowed flow must pass");
        }
        finally
        {
            await stop.CancelAsync();
            await stream.DisposeAsync();
        }
    }

    /// <summary>The tc ingress filters of host1's uplink (a data interface: bpfDataIfacePattern's default matches eth0).</summary>
    private static string Uplink(LabRunner lab) => Exec(lab.Netns("host1"), "tc", "filter", "show", "dev", "eth0", "ingress");

    private static string Table(LabRunner lab) => Exec(lab.Netns("host1"), "nft", "list", "table", "inet", "calico");

    private static string Filters(LabRunner lab, LabPod pod)
    {
        string hostInterface = IpTool.Json("-n", lab.Netns("host1"), "route", "get", pod.Address)[0].GetProperty("dev").GetString()!;
        return Exec(lab.Netns("host1"), "tc", "filter", "show", "dev", hostInterface, "egress");
    }

    private static string Exec(string netns, params string[] command)
    {
        var result = LabRunner.InNetnsAsync(netns, command).GetAwaiter().GetResult();
        return result.Output;
    }

    private static async Task<bool> ConnectsAsync(LabPod from, string address, int port)
    {
        using Socket socket = await NetworkNamespace.RunInAsync(LabLayout.NetnsPath(from.Netns), () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(address), port), timeout.Token);
            return true;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return false;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The client writes without pause, the server counts what arrives: a stream under load.</summary>
    private sealed class Stream : IAsyncDisposable
    {
        private readonly Task _writer;
        private readonly Task _reader;
        private long _received;

        public Stream(Socket client, Socket server, CancellationToken stop)
        {
            _writer = Task.Run(async () =>
            {
                var chunk = new byte[64 * 1024];
                while (!stop.IsCancellationRequested)
                {
                    await client.SendAsync(chunk, SocketFlags.None, stop);
                }
            }, stop);
            _reader = Task.Run(async () =>
            {
                var buffer = new byte[64 * 1024];
                while (!stop.IsCancellationRequested)
                {
                    int read = await server.ReceiveAsync(buffer, SocketFlags.None, stop);
                    if (read == 0)
                    {
                        return;
                    }

                    Interlocked.Add(ref _received, read);
                }
            }, stop);
        }

        /// <summary>More bytes arrive within a few seconds (TCP retransmits across a short gap).</summary>
        public async Task AssertFlowsAsync(string when)
        {
            long before = Interlocked.Read(ref _received);
            Assert.True(
                await LabRunner.EventuallyAsync(() => Task.FromResult(Interlocked.Read(ref _received) > before + (1 << 20)), TimeSpan.FromSeconds(10)),
                $"the stream a -> b stalled {when} ({before} bytes before)");
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await Task.WhenAll(_writer, _reader);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
            }
        }
    }
}
