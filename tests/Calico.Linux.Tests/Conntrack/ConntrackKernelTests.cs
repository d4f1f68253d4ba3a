using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Calico.Linux.Conntrack;
using Calico.Linux.Nft;
using Calico.Linux.Tests.Nflog;
using Calico.TestKit;
using Xunit.Abstractions;

namespace Calico.Linux.Tests.Conntrack;

/// <summary>A namespace pair whose B side tracks connections (an nft ct rule) with accounting on, and an event reader in B.</summary>
public sealed class ConntrackFixture : IAsyncLifetime
{
    internal NetnsPair Pair { get; private set; } = null!;

    public ConntrackEvents Events { get; private set; } = null!;

    public ChannelReader<ConntrackEntry> EventChannel { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Prerequisites.Require("nft");
        Prerequisites.Require("conntrack");
        Pair = new NetnsPair("calt-ct");
        await NftRunner.ApplyInAsync(Pair.B.Path, """
            table inet cttest {
                chain input {
                    type filter hook input priority 0; policy accept;
                    ct state established,related accept
                }
            }
            """, CancellationToken.None);
        Assert.True(await ConntrackTable.EnableAccountingInAsync(Pair.B.Path, CancellationToken.None));
        Events = await ConntrackEvents.OpenInAsync(Pair.B.Path, CancellationToken.None);
        EventChannel = Events.Start();
    }

    public Task DisposeAsync()
    {
        Events?.Dispose();
        Pair?.Dispose();
        return Task.CompletedTask;
    }
}

[Trait("Tier", "Root")]
public sealed class ConntrackKernelTests(ConntrackFixture fixture, ITestOutputHelper output) : IClassFixture<ConntrackFixture>
{
    private const int Port = 5201;
    private const int Sent = 8 * 1024 * 1024;

    [Fact]
    public async Task DumpAndEvents_TcpTransferOfKnownSize_CountersWithinFivePercentNewAndDestroyArrive()
    {
        Assert.Equal("1", fixture.Pair.B.Sysctl("net.netfilter.nf_conntrack_acct"));
        TcpListener listener = await NetnsPair.ListenerIn(fixture.Pair.B, IPAddress.Any, Port);
        try
        {
            using Socket client = await NetnsPair.SocketIn(fixture.Pair.A, AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await client.ConnectAsync(NetnsPair.AddressB, Port);
            int sourcePort = ((IPEndPoint)client.LocalEndPoint!).Port;
            using Socket server = await listener.AcceptSocketAsync();
            Task<long> receive = ReceiveAll(server);
            byte[] chunk = new byte[64 * 1024];
            for (int sent = 0; sent < Sent; sent += chunk.Length)
            {
                await client.SendAsync(chunk);
            }

            Assert.Equal(Sent, await receive.WaitAsync(TimeSpan.FromSeconds(30)));

            // While the connection is open: the dump holds it with counters of what went through.
            using ConntrackTable table = await ConntrackTable.OpenInAsync(fixture.Pair.B.Path, CancellationToken.None);
            ConntrackEntry entry = Assert.Single(table.Dump(), e => e.Original.SourcePort == sourcePort && e.Original.DestinationPort == Port);
            output.WriteLine($"dump: orig {entry.OriginalPackets} packets {entry.OriginalBytes} bytes, reply {entry.ReplyPackets} packets {entry.ReplyBytes} bytes, sent {Sent}");
            Assert.Equal(NetnsPair.AddressA, entry.Original.Source);
            Assert.Equal(NetnsPair.AddressB, entry.Original.Destination);
            Assert.Equal(NetnsPair.AddressA, entry.Reply.Destination);
            Assert.Equal((ushort)sourcePort, entry.Reply.DestinationPort);
            Assert.Equal(ConntrackEventKind.Dump, entry.Kind);
            Assert.True(entry.HasCounters);
            Assert.True(entry.IsAssured);
            Assert.Equal(ConntrackTcpState.Established, entry.TcpState);
            Assert.InRange(entry.OriginalBytes, (ulong)Sent, (ulong)(Sent * 1.05));
            Assert.True(entry.ReplyPackets > 0);
            Assert.True(entry.TimeoutSeconds > 0);

            client.Shutdown(SocketShutdown.Both);
            server.Shutdown(SocketShutdown.Both);
        }
        finally
        {
            listener.Stop();
        }

        ConntrackEntry created = await NextEvent(e => e.Kind == ConntrackEventKind.New && e.Original.DestinationPort == Port);
        Assert.Equal(NetnsPair.AddressA, created.Original.Source);

        // End it now (a closed TCP connection lingers in TIME_WAIT): DESTROY carries the final counters.
        (int exit, _, string error) = fixture.Pair.B.Exec("conntrack", "-D", "-p", "tcp", "--dport", Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(exit == 0, error);
        ConntrackEntry destroyed = await NextEvent(e => e.Kind == ConntrackEventKind.Destroy && e.Original.DestinationPort == Port);
        output.WriteLine($"destroy: orig {destroyed.OriginalBytes} bytes, reply {destroyed.ReplyBytes} bytes; events received {fixture.Events.Received}, overflows {fixture.Events.Overflows}");
        Assert.Equal(created.Id, destroyed.Id);
        Assert.Equal(created.Original, destroyed.Original);
        Assert.True(destroyed.HasCounters);
        Assert.InRange(destroyed.OriginalBytes, (ulong)Sent, (ulong)(Sent * 1.05));
    }

    [Fact]
    public async Task Events_UdpFlow_NewEventWithTupleAndNoTcpState()
    {
        using Socket udp = await NetnsPair.SocketIn(fixture.Pair.A, AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(NetnsPair.AddressA, 41000));
        await udp.SendToAsync(new byte[100], new IPEndPoint(NetnsPair.AddressB, 7777));

        ConntrackEntry created = await NextEvent(e => e.Kind == ConntrackEventKind.New && e.Original.SourcePort == 41000);

        Assert.Equal((byte)17, created.Original.Protocol);
        Assert.Equal(7777, created.Original.DestinationPort);
        Assert.Null(created.TcpState);
        Assert.Equal(4, created.Original.IpVersion);
    }

    private async Task<ConntrackEntry> NextEvent(Func<ConntrackEntry, bool> predicate)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            ConntrackEntry entry = await fixture.EventChannel.ReadAsync(timeout.Token);
            if (predicate(entry))
            {
                return entry;
            }
        }
    }

    private static async Task<long> ReceiveAll(Socket socket)
    {
        byte[] buffer = new byte[256 * 1024];
        long total = 0;
        while (total < Sent)
        {
            int read = await socket.ReceiveAsync(buffer);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
