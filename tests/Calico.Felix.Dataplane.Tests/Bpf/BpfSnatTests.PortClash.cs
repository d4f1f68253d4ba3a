using System.Net;
using System.Net.Sockets;
using Calico.Felix.Bpf;
using Calico.Felix.Calc.Model;
using Calico.Felix.Dataplane.Bpf;
using Calico.Felix.Dataplane.Nftables;
using Calico.Felix.Rules;
using Calico.Linux;
using Calico.Linux.Bpf;
using Calico.Nftables;
using Calico.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Felix.Dataplane.Tests.Bpf;

public sealed partial class BpfSnatTests
{
    /// <summary>
    /// The host's own connections and the workloads' NAT bindings share the NAT address's ports: the host picks its
    /// ports without knowing the bindings, and a binding must not take a port the host's connection to the same remote
    /// holds. Whichever came first keeps its port; the other gets one of bpfPSNATPorts, and all of them keep working.
    /// </summary>
    [Fact]
    public async Task HostConnections_AndWorkloadBindings_NeverShareAPortTowardsOneRemote_WhicheverCameFirst()
    {
        var (dataplane, writer) = await StartBpfNatAsync(State(), new RenderConfig { WorkloadPolicyInBpf = true });
        using var disposeDataplane = dataplane;
        using var disposeWriter = writer;
        using TcpListener listener = await ListenAsync(_outside.Path);

        // The host first, from 41000: the workload's flow from 41000 to the same server passes over the port the host's
        // socket holds (its own port would otherwise be kept, as no binding has it).
        var (hostFirst, hostFirstSeen) = await ConnectAsync(_host, listener, 41000);
        var (podSecond, podSecondSeen) = await ConnectAsync(_a, listener, 41000);

        // A workload first, from 42000 (kept: free); then the host from 42000 to the same server: its flow is re-ported.
        var (podFirst, podFirstSeen) = await ConnectAsync(_b, listener, 42000);
        var (hostSecond, hostSecondSeen) = await ConnectAsync(_host, listener, 42000);
        using (hostFirst)
        using (hostFirstSeen)
        using (podSecond)
        using (podSecondSeen)
        using (podFirst)
        using (podFirstSeen)
        using (hostSecond)
        using (hostSecondSeen)
        {
            Assert.Equal(new IPEndPoint(IPAddress.Parse(HostAddress), 41000), hostFirstSeen.RemoteEndPoint);
            Assert.InRange(((IPEndPoint)podSecondSeen.RemoteEndPoint!).Port, 20000, 29999);
            Assert.Equal(new IPEndPoint(IPAddress.Parse(HostAddress), 42000), podFirstSeen.RemoteEndPoint);
            var hostReported = (IPEndPoint)hostSecondSeen.RemoteEndPoint!;
            Assert.Equal(HostAddress, hostReported.Address.ToString());
            Assert.InRange(hostReported.Port, 20000, 29999);
            Assert.Equal(42000, ((IPEndPoint)hostSecond.LocalEndPoint!).Port); // the host's socket never knows

            // Each connection's bytes reach its own end: nobody receives another's replies.
            for (int i = 0; i < 10; i++)
            {
                await RoundTripAsync(hostFirst, hostFirstSeen);
                await RoundTripAsync(podSecond, podSecondSeen);
                await RoundTripAsync(podFirst, podFirstSeen);
                await RoundTripAsync(hostSecond, hostSecondSeen);
            }

            await BulkAsync(hostSecondSeen, hostSecond); // segmented replies NATed back to the host's port
            await BulkAsync(hostSecond, hostSecondSeen);

            // What calico-node -bpf conntrack dump lists as host-psnat: the host's connection and the port it leaves with.
            using (BpfMap bindings = BpfMap.OpenPinned(BpfMapLayout.PinPath(_root, BpfMapLayout.NatMap)))
            {
                HostPortBinding listed = Assert.Single(bindings.Keys().Select(k => BpfMapLayout.ReadHostPortBinding(k, bindings.Lookup(k)!)).OfType<HostPortBinding>());
                Assert.Equal((42000, Outside, 8080, hostReported.Port), (listed.SourcePort, listed.Destination.ToString(), listed.DestinationPort, listed.LeavesWithPort));
            }

            // The kernel tracks the re-ported host connection under the port the host chose, replies included.
            string conntrack = _host.Exec("conntrack", "-L", "-p", "tcp", "--src", HostAddress, "--orig-port-src", "42000").Output;
            Assert.Contains("ESTABLISHED", conntrack, StringComparison.Ordinal);
        }

        // UDP: a workload's binding from 43000 first, then a host socket from 43000 to the same server: both answered.
        // (A host UDP socket bound to 43000 before the workload's first datagram would have made the binding pass over
        // 43000 instead, as a host TCP connection does above.)
        using (Socket server = await NetworkNamespace.RunInAsync(_outside.Path, () => UdpSocket(9092)))
        using (Socket pod = await NetworkNamespace.RunInAsync(_a.Path, () => UdpSocket(43000)))
        {
            var serverEnd = new IPEndPoint(IPAddress.Parse(Outside), 9092);
            IPEndPoint podSeen = await UdpExchangeAsync(pod, server, serverEnd, "pod");
            using Socket host = await NetworkNamespace.RunInAsync(_host.Path, () => UdpSocket(43000));
            IPEndPoint hostSeen = await UdpExchangeAsync(host, server, serverEnd, "host");
            Assert.Equal(new IPEndPoint(IPAddress.Parse(HostAddress), 43000), podSeen);
            Assert.Equal(HostAddress, hostSeen.Address.ToString());
            Assert.InRange(hostSeen.Port, 20000, 29999);
            Assert.Equal(podSeen, await UdpExchangeAsync(pod, server, serverEnd, "pod"));
            Assert.Equal(hostSeen, await UdpExchangeAsync(host, server, serverEnd, "host"));
        }

        // Counted: the port the pod passed over, and the host flows' packets re-ported.
        using var reasons = BpfMap.OpenPinned(BpfMapLayout.PinPath(_root, BpfMapLayout.ReasonMap));
        Assert.True(BpfMapLayout.ReadCounter(reasons.Lookup(BitConverter.GetBytes(14u))!).Packets >= 3, "PORT_CLASH: " + Reasons()); // CALI_REASON_PORT_CLASH
        await InHostAsync(() => dataplane.Stop(IsWorkload));
    }

    /// <summary>One datagram from <paramref name="client"/> to the server and its answer back; the source the server saw.</summary>
    private static async Task<IPEndPoint> UdpExchangeAsync(Socket client, Socket server, IPEndPoint serverEnd, string who)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var buffer = new byte[16];
        byte[] message = System.Text.Encoding.ASCII.GetBytes(who);
        await client.SendToAsync(message, serverEnd, timeout.Token);
        SocketReceiveFromResult got = await server.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), timeout.Token);
        Assert.Equal(message, buffer[..got.ReceivedBytes]);
        await server.SendToAsync(message, got.RemoteEndPoint, timeout.Token);
        SocketReceiveFromResult back = await client.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), timeout.Token);
        Assert.Equal(serverEnd, back.RemoteEndPoint);
        Assert.Equal(message, buffer[..back.ReceivedBytes]);
        return (IPEndPoint)got.RemoteEndPoint;
    }
}
