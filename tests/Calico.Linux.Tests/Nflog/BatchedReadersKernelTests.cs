using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Calico.Linux.Conntrack;
using Calico.Linux.Nflog;
using Calico.Linux.Nft;
using Calico.TestKit;

namespace Calico.Linux.Tests.Nflog;

/// <summary>
/// The flow-log collector's reader settings with real packets: NFLOG with a queue threshold (several packets per
/// datagram) and readers that pause after each batch still hand on every packet; ctnetlink subscribed to ends only
/// hands on no connection start.
/// </summary>
[Trait("Tier", "Root")]
public sealed class BatchedReadersKernelTests
{
    private const int Datagrams = 40;

    [Fact]
    public async Task QueueThresholdAndCoalescing_EveryLoggedPacketArrives_DestroyOnlyGetsNoNewEvents()
    {
        Prerequisites.Require("nft");
        Prerequisites.Require("conntrack");
        using var pair = new NetnsPair("calt-nfb");
        await NftRunner.ApplyInAsync(pair.B.Path, """
            table inet batchtest {
                chain input {
                    type filter hook input priority 0; policy accept;
                    ct state established,related accept
                    udp dport 9997 log prefix "batch" group 8 accept
                }
            }
            """, CancellationToken.None);
        using NflogReader reader = await NetworkNamespace.RunInAsync(pair.B.Path, () => NflogReader.Open([8], queueThreshold: 16), CancellationToken.None);
        using ConntrackEvents events = await NetworkNamespace.RunInAsync(pair.B.Path, () => ConntrackEvents.Open(destroyOnly: true), CancellationToken.None);
        ChannelReader<NflogPacket> packets = reader.Start(coalesce: TimeSpan.FromMilliseconds(10));
        ChannelReader<ConntrackEntry> ends = events.Start(coalesce: TimeSpan.FromMilliseconds(10));

        for (int i = 0; i < Datagrams; i++)
        {
            // One flow per datagram (a new source port each time), so conntrack starts 40 connections.
            using Socket one = await NetnsPair.SocketIn(pair.A, AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            await one.SendToAsync(new byte[] { 1 }, SocketFlags.None, new IPEndPoint(NetnsPair.AddressB, 9997));
        }

        var ports = new HashSet<int>();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            while (ports.Count < Datagrams)
            {
                NflogPacket packet = await packets.ReadAsync(timeout.Token);
                Assert.Equal("batch", packet.Prefix);
                ports.Add(packet.SourcePort);
            }
        }

        // Each datagram was accepted, so its connection was confirmed (a start no one subscribed to); deleting ends them.
        (int exit, _, string error) = pair.B.Exec("conntrack", "-D", "-p", "udp", "--dport", "9997");
        Assert.True(exit == 0, error);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            ConntrackEntry end = await ends.ReadAsync(timeout.Token);
            Assert.Equal(ConntrackEventKind.Destroy, end.Kind);
        }

        await Task.Delay(100);
        while (ends.TryRead(out ConntrackEntry? more))
        {
            Assert.Equal(ConntrackEventKind.Destroy, more.Kind);
        }

        Assert.Equal(Datagrams, reader.Received);
    }
}
