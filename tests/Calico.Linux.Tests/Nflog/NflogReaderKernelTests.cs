using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Calico.Linux.Nflog;
using Calico.Linux.Nft;
using Calico.TestKit;
using Xunit.Abstractions;

namespace Calico.Linux.Tests.Nflog;

/// <summary>
/// A namespace pair with nft rules in B that log an accept (group 5), a drop (group 6) and a flood target (group 7) to
/// NFLOG; readers bound in B. Real packets from A: TCP connects, UDP over IPv4 and IPv6, and a flood.
/// </summary>
public sealed class NflogFixture : IAsyncLifetime
{
    public const ushort AcceptGroup = 5;
    public const ushort DropGroup = 6;
    public const ushort FloodGroup = 7;

    internal NetnsPair Pair { get; private set; } = null!;

    public NflogReader Reader { get; private set; } = null!;

    public ChannelReader<NflogPacket> Packets { get; private set; } = null!;

    public TcpListener Listener { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Prerequisites.Require("nft");
        Pair = new NetnsPair("calt-nfl");
        await NftRunner.ApplyInAsync(Pair.B.Path, """
            table inet flowtest {
                chain input {
                    type filter hook input priority 0; policy accept;
                    ct state established,related accept
                    tcp dport 8080 log prefix "acc-tcp" group 5 accept
                    udp dport 9999 log prefix "drop-udp" group 6 drop
                    udp dport 9998 log prefix "flood" group 7 drop
                }
            }
            """, CancellationToken.None);
        Reader = await NflogReader.OpenInAsync(Pair.B.Path, [AcceptGroup, DropGroup], CancellationToken.None);
        Packets = Reader.Start();
        Listener = await NetnsPair.ListenerIn(Pair.B, IPAddress.Any, 8080);
    }

    public Task DisposeAsync()
    {
        Listener?.Stop();
        Reader?.Dispose();
        Pair?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>The next packet matching <paramref name="predicate"/> within 5 s (others are skipped).</summary>
    public async Task<NflogPacket> NextAsync(Func<NflogPacket, bool> predicate)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (true)
        {
            NflogPacket packet = await Packets.ReadAsync(timeout.Token);
            if (predicate(packet))
            {
                return packet;
            }
        }
    }
}

[Trait("Tier", "Root")]
public sealed class NflogReaderKernelTests(NflogFixture fixture, ITestOutputHelper output) : IClassFixture<NflogFixture>
{
    [Fact]
    public async Task Read_TcpConnectAccepted_SynLoggedWithPrefixTupleAndInterface()
    {
        using Socket client = await NetnsPair.SocketIn(fixture.Pair.A, AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(NetnsPair.AddressB, 8080);
        int sourcePort = ((IPEndPoint)client.LocalEndPoint!).Port;
        using Socket accepted = await fixture.Listener.AcceptSocketAsync();
        await client.SendAsync("hello established"u8.ToArray());

        NflogPacket packet = await fixture.NextAsync(p => p.Prefix == "acc-tcp" && p.SourcePort == sourcePort);

        Assert.Equal(NflogFixture.AcceptGroup, packet.Group);
        Assert.Equal(4, packet.IpVersion);
        Assert.Equal(6, packet.Protocol);
        Assert.Equal(NetnsPair.AddressA, packet.Source);
        Assert.Equal(NetnsPair.AddressB, packet.Destination);
        Assert.Equal(8080, packet.DestinationPort);
        Assert.Equal(fixture.Pair.InterfaceB, packet.InInterface);
        Assert.Equal(0, packet.OutInterface);
        Assert.InRange(packet.PacketLength, 40, 80); // a SYN: IP + TCP header with options, no data

        // Established packets are accepted before the log rule: only the SYN of this flow was logged.
        await Task.Delay(300);
        int more = 0;
        while (fixture.Packets.TryRead(out NflogPacket? extra))
        {
            more += extra.SourcePort == sourcePort ? 1 : 0;
        }

        Assert.Equal(0, more);
    }

    [Fact]
    public async Task Read_UdpDroppedOverIpv4AndIpv6_LoggedToTheDropGroup()
    {
        using Socket udp4 = await NetnsPair.SocketIn(fixture.Pair.A, AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using Socket udp6 = await NetnsPair.SocketIn(fixture.Pair.A, AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        udp4.Bind(new IPEndPoint(NetnsPair.AddressA, 40001));
        udp6.Bind(new IPEndPoint(NetnsPair.Address6A, 40002));
        byte[] payload = new byte[300];

        NflogPacket v4 = await SendUntilLogged(udp4, new IPEndPoint(NetnsPair.AddressB, 9999), payload, p => p.SourcePort == 40001);
        NflogPacket v6 = await SendUntilLogged(udp6, new IPEndPoint(NetnsPair.Address6B, 9999), payload, p => p.SourcePort == 40002);

        Assert.Equal(("drop-udp", NflogFixture.DropGroup, 4, (byte)17, 9999, 20 + 8 + 300), (v4.Prefix, v4.Group, v4.IpVersion, v4.Protocol, (int)v4.DestinationPort, v4.PacketLength));
        Assert.Equal(NetnsPair.AddressA, v4.Source);
        Assert.Equal(("drop-udp", NflogFixture.DropGroup, 6, (byte)17, 9999, 40 + 8 + 300), (v6.Prefix, v6.Group, v6.IpVersion, v6.Protocol, (int)v6.DestinationPort, v6.PacketLength));
        Assert.Equal(NetnsPair.Address6A, v6.Source);
        Assert.Equal(NetnsPair.Address6B, v6.Destination);
    }

    [Fact]
    public async Task Read_FloodOfDroppedPackets_CountedAndReaderSurvives()
    {
        // A reader with a tiny kernel queue that is not read during the flood: the kernel must drop records.
        using NflogReader flood = await NflogReader.OpenInAsync(fixture.Pair.B.Path, [NflogFixture.FloodGroup], CancellationToken.None, kernelBuffer: 64 * 1024);
        using Socket udp = await NetnsPair.SocketIn(fixture.Pair.A, AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var target = new IPEndPoint(NetnsPair.AddressB, 9998);
        byte[] payload = new byte[64];
        const int Sent = 20_000;
        for (int i = 0; i < Sent; i++)
        {
            udp.SendTo(payload, target);
        }

        long received = 0;
        for (int i = 0; i < 20 && flood.Read(TimeSpan.FromMilliseconds(100), _ => received++) >= 0; i++)
        {
            // Drain what the kernel kept (the first read reports the overflow).
        }

        output.WriteLine($"flood: sent {Sent}, received {received}, overflows reported {flood.Overflows}");
        Assert.True(flood.Overflows > 0 || received == Sent, $"received {received} of {Sent}, overflows {flood.Overflows}");
        Assert.Equal(received, flood.Received);

        // Still reading after the overflow: one more packet arrives.
        using Socket later = await NetnsPair.SocketIn(fixture.Pair.A, AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        later.Bind(new IPEndPoint(NetnsPair.AddressA, 40003));
        NflogPacket? after = null;
        for (int attempt = 0; attempt < 10 && after is null; attempt++)
        {
            later.SendTo(payload, target);
            flood.Read(TimeSpan.FromMilliseconds(300), p => after ??= p.SourcePort == 40003 ? p : null);
        }

        Assert.NotNull(after);
        Assert.Equal("flood", after.Prefix);
    }

    private async Task<NflogPacket> SendUntilLogged(Socket socket, IPEndPoint target, byte[] payload, Func<NflogPacket, bool> match)
    {
        // IPv6 may need neighbour discovery first: resend until the log shows it.
        for (int attempt = 0; ; attempt++)
        {
            await socket.SendToAsync(payload, target);
            try
            {
                return await fixture.NextAsync(match);
            }
            catch (OperationCanceledException) when (attempt < 2)
            {
            }
        }
    }
}
