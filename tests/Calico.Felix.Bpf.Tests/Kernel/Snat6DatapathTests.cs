using System.Buffers.Binary;
using System.Net;
using Calico.Linux;
using Calico.Linux.Bpf;
using static Calico.Felix.Bpf.Tests.Kernel.DatapathHarness;

namespace Calico.Felix.Bpf.Tests.Kernel;

/// <summary>
/// IPv6 NAT outgoing's two rewrites through BPF_PROG_TEST_RUN, where the packet has no checksum offload (CHECKSUM_NONE):
/// the rewritten packet's checksums must be whole and right, which the root test's veths (partial checksums, not
/// verified by the receiver) cannot show. calico_to_data: a pod's packet marked for BPF NAT leaves from the interface's
/// IPv6 address. calico_from_data (snat_reverse): a reply to {NAT address:port, remote} gets the pod's address and port;
/// an ICMPv6 error quoting the NATed packet gets them in the outer destination and the quote.
/// </summary>
[Trait("Tier", "Root")]
public sealed class Snat6DatapathTests : IDisposable
{
    private const int NatPort = 40010;
    private const int PodPort = 40020;
    private const int RemotePort = 8080;

    private readonly DatapathHarness _dp = new();
    private readonly BpfProgram _fromData;

    public Snat6DatapathTests()
    {
        _fromData = _dp.Object.Program("calico_from_data");
    }

    [Theory]
    [InlineData(6)]
    [InlineData(17)]
    [InlineData(58)]
    public async Task AReply_GetsThePodsAddressAndPort_WithItsChecksumRight(byte protocol)
    {
        Bind(protocol, RemotePort);
        byte[] frame = protocol switch
        {
            6 => Transport6(Remote6, HostAddress6, 6, Ports(RemotePort, NatPort, 20), checksumOffset: 16),
            17 => Transport6(Remote6, HostAddress6, 17, Ports(RemotePort, NatPort, 12), checksumOffset: 6),
            _ => Transport6(Remote6, HostAddress6, 58, Echo(129, NatPort), checksumOffset: 2),
        };
        Assert.True(ChecksumValid(frame), "the test's own frame");

        byte[] output = (await _dp.RunFullAsync(_fromData, "eth0", frame)).PacketOut;
        Assert.Equal(IPAddress.Parse(WorkloadA6), new IPAddress(output.AsSpan(38, 16)));
        int portOffset = protocol == 58 ? 54 + 4 : 54 + 2;
        Assert.Equal(PodPort, BinaryPrimitives.ReadUInt16BigEndian(output.AsSpan(portOffset)));
        Assert.True(ChecksumValid(output), "the rewritten packet's checksum");
    }

    [Fact]
    public async Task AnIcmp6Error_QuotingANatedPacket_GetsThePodsAddressAndPort_InTheOuterHeaderAndTheQuote()
    {
        Bind(17, 9999);
        // The quoted packet: what calico_to_data sent, {NAT address:NatPort -> remote:9999} (UDP, 8 bytes of payload).
        byte[] quoted = Transport6(HostAddress6, Remote6, 17, Ports(NatPort, 9999, 16), checksumOffset: 6)[14..];
        var icmp = new byte[8 + quoted.Length];
        icmp[0] = 1; // destination unreachable
        icmp[1] = 4; // port unreachable
        quoted.CopyTo(icmp, 8);
        byte[] frame = Transport6(Remote6, HostAddress6, 58, icmp, checksumOffset: 2);

        byte[] output = (await _dp.RunFullAsync(_fromData, "eth0", frame)).PacketOut;
        Assert.Equal(IPAddress.Parse(WorkloadA6), new IPAddress(output.AsSpan(38, 16)));      // the outer destination
        Assert.Equal(IPAddress.Parse(WorkloadA6), new IPAddress(output.AsSpan(62 + 8, 16)));  // the quoted source
        Assert.Equal(PodPort, BinaryPrimitives.ReadUInt16BigEndian(output.AsSpan(62 + 40)));  // the quoted source port
        Assert.True(ChecksumValid(output), "the rewritten ICMPv6 error's checksum");
    }

    /// <summary>The reverse binding calico_to_data would have written: {NAT address:NatPort, remote:port} → the pod's.</summary>
    private void Bind(byte protocol, int remotePort)
    {
        var key = new byte[BpfMapLayout.NatKeySize];
        IPAddress.Parse(HostAddress6).GetAddressBytes().CopyTo(key, 0);
        IPAddress.Parse(Remote6).GetAddressBytes().CopyTo(key, 16);
        BinaryPrimitives.WriteUInt16BigEndian(key.AsSpan(32), NatPort);
        BinaryPrimitives.WriteUInt16BigEndian(key.AsSpan(34), (ushort)(protocol == 58 ? NatPort : remotePort));
        key[36] = protocol;
        key[37] = 6;
        key[38] = 1; // reverse
        var value = new byte[BpfMapLayout.NatValueSize];
        IPAddress.Parse(WorkloadA6).GetAddressBytes().CopyTo(value, 0);
        BinaryPrimitives.WriteUInt16BigEndian(value.AsSpan(16), PodPort);
        BinaryPrimitives.WriteUInt32LittleEndian(value.AsSpan(20), _dp.Ifindex("eth0"));
        _dp.Map(BpfMapLayout.NatMap).Update(key, value);
    }

    /// <summary>A transport header of <paramref name="length"/> bytes starting with the two ports (some payload after them).</summary>
    private static byte[] Ports(int sport, int dport, int length)
    {
        var l4 = new byte[length];
        BinaryPrimitives.WriteUInt16BigEndian(l4, (ushort)sport);
        BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(2), (ushort)dport);
        if (length == 20)
        {
            l4[12] = 0x50; // TCP: data offset 5
            l4[13] = 0x12; // SYN+ACK
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(4), (ushort)length); // UDP length
        }

        for (int i = length == 20 ? 14 : 8; i < length; i++)
        {
            l4[i] = (byte)(0x5a + i); // payload, so the checksum covers more than zeros
        }

        return l4;
    }

    private static byte[] Echo(byte type, int id)
    {
        var icmp = new byte[16];
        icmp[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(4), (ushort)id);
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(6), 7); // sequence
        "payload!"u8.CopyTo(icmp.AsSpan(8));
        return icmp;
    }

    /// <summary>An Ethernet + IPv6 frame carrying <paramref name="l4"/>, its checksum (at <paramref name="checksumOffset"/>) filled in.</summary>
    private static byte[] Transport6(string src, string dst, byte protocol, byte[] l4, int checksumOffset)
    {
        byte[] frame = Frames.Ipv6(src, dst, protocol, l4);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(54 + checksumOffset), 0);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(54 + checksumOffset), (ushort)~Sum(frame));
        return frame;
    }

    /// <summary>The frame's transport checksum verifies: the sum over the pseudo-header and the transport bytes is all ones.</summary>
    private static bool ChecksumValid(byte[] frame) => Sum(frame) == 0xffff;

    /// <summary>The ones' complement sum (folded) over the IPv6 pseudo-header and everything after the fixed header.</summary>
    private static ushort Sum(byte[] frame)
    {
        int length = frame.Length - 54;
        ulong sum = 0;
        for (int i = 22; i < 54; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(i)); // source and destination
        }

        sum += (ulong)length + frame[20];
        for (int i = 54; i < frame.Length; i += 2)
        {
            sum += i + 1 < frame.Length ? BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(i)) : (ulong)(frame[i] << 8);
        }

        while (sum > 0xffff)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)sum;
    }

    [Theory]
    [InlineData(6)]
    [InlineData(17)]
    [InlineData(58)]
    public async Task APodsPacketMarkedForBpfNat_LeavesFromTheInterfacesIPv6Address_WithItsChecksumRight(byte protocol)
    {
        uint eth0 = _dp.Ifindex("eth0");
        _dp.Map(BpfMapLayout.SnatMap).Update(BpfMapLayout.SnatKey(eth0, v6: true), BpfMapLayout.SnatValue(IPAddress.Parse(HostAddress6), 20000, 29999));
        _dp.Map(BpfMapLayout.NatPoolMap).Update(BpfMapLayout.PoolKey(IPNetwork.Parse("fd00:65::/48")), BpfMapLayout.PoolValue(fast: true));
        _dp.Map(BpfMapLayout.PoolMap).Update(BpfMapLayout.PoolKey(IPNetwork.Parse("fd00:65::/48")), BpfMapLayout.PoolValue(fast: true));
        byte[] frame = protocol switch
        {
            6 => Transport6(WorkloadA6, Remote6, 6, Ports(PodPort, RemotePort, 20), checksumOffset: 16),
            17 => Transport6(WorkloadA6, Remote6, 17, Ports(PodPort, RemotePort, 12), checksumOffset: 6),
            _ => Transport6(WorkloadA6, Remote6, 58, Echo(128, PodPort), checksumOffset: 2),
        };

        BpfProgram toData = _dp.Object.Program("calico_to_data");
        BpfTestRun run = await NetworkNamespace.RunInAsync(_dp.NetnsPath, () => toData.TestRun(frame, ifindex: eth0, skbMark: 0x80000));
        Assert.Equal(TcActOk, run.ReturnValue);
        byte[] output = run.PacketOut;
        Assert.Equal(IPAddress.Parse(HostAddress6), new IPAddress(output.AsSpan(22, 16)));
        Assert.Equal(PodPort, BinaryPrimitives.ReadUInt16BigEndian(output.AsSpan(protocol == 58 ? 54 + 4 : 54))); // its own port: free
        Assert.True(ChecksumValid(output), "the NATed packet's checksum");

        // Unmarked (the table left it to the kernel): untouched.
        BpfTestRun unmarked = await NetworkNamespace.RunInAsync(_dp.NetnsPath, () => toData.TestRun(frame, ifindex: eth0));
        Assert.Equal(frame, unmarked.PacketOut);
    }

    /// <summary>
    /// Extension headers (session 9): a TCP segment behind a hop-by-hop options header, and a UDP datagram in two
    /// fragments (the UDP header in the first, behind the fragment header; the later one without it, its ports from
    /// the first through cali_frags), both ways. The transport checksum covers the whole datagram: the first
    /// fragment's is updated for the address and port, the later fragment's address alone changes, and the datagram
    /// reassembled from the rewritten fragments must verify.
    /// </summary>
    [Fact]
    public async Task PacketsWithExtensionHeaders_AndFragmentedDatagrams_AreNatedBothWays_TheirChecksumsRight()
    {
        uint eth0 = _dp.Ifindex("eth0");
        _dp.Map(BpfMapLayout.SnatMap).Update(BpfMapLayout.SnatKey(eth0, v6: true), BpfMapLayout.SnatValue(IPAddress.Parse(HostAddress6), 20000, 29999));
        _dp.Map(BpfMapLayout.NatPoolMap).Update(BpfMapLayout.PoolKey(IPNetwork.Parse("fd00:65::/48")), BpfMapLayout.PoolValue(fast: true));
        _dp.Map(BpfMapLayout.PoolMap).Update(BpfMapLayout.PoolKey(IPNetwork.Parse("fd00:65::/48")), BpfMapLayout.PoolValue(fast: true));
        BpfProgram toData = _dp.Object.Program("calico_to_data");
        Task<BpfTestRun> Out(byte[] frame) => NetworkNamespace.RunInAsync(_dp.NetnsPath, () => toData.TestRun(frame, ifindex: eth0, skbMark: 0x80000));

        // Out: TCP behind hop-by-hop options (8 bytes: the transport header at 62).
        byte[] tcp = Ports(PodPort, RemotePort, 20);
        byte[] hopByHop = [6, 0, 1, 4, 0, 0, 0, 0]; // next header TCP, length 0 (8 bytes), PadN of 4
        byte[] segment = Frames.Ipv6(WorkloadA6, Remote6, 0, [.. hopByHop, .. WithChecksum(WorkloadA6, Remote6, 6, tcp, 16)]);
        byte[] natted = (await Out(segment)).PacketOut;
        Assert.Equal(IPAddress.Parse(HostAddress6), new IPAddress(natted.AsSpan(22, 16)));
        Assert.Equal(PodPort, BinaryPrimitives.ReadUInt16BigEndian(natted.AsSpan(62))); // its own port: free
        Assert.Equal(0xffff, UpperSum(natted, 6, natted[62..]));

        // Out: a UDP datagram in two fragments; the later one's ports come from the first (cali_frags).
        const int podUdpPort = PodPort + 1;
        var (first, later) = Fragments6(WorkloadA6, podUdpPort, Remote6, RemotePort, id: 0x77);
        byte[] firstOut = (await Out(first)).PacketOut;
        byte[] laterOut = (await Out(later)).PacketOut;
        Assert.Equal(IPAddress.Parse(HostAddress6), new IPAddress(firstOut.AsSpan(22, 16)));
        Assert.Equal(IPAddress.Parse(HostAddress6), new IPAddress(laterOut.AsSpan(22, 16)));
        Assert.Equal(podUdpPort, BinaryPrimitives.ReadUInt16BigEndian(firstOut.AsSpan(62)));
        Assert.Equal(later[54..].AsSpan(8).ToArray(), laterOut[54..].AsSpan(8).ToArray()); // payload untouched
        Assert.Equal(0xffff, UpperSum(firstOut, 17, [.. firstOut[62..], .. laterOut[62..]]));

        // Back: a fragmented reply to {NAT address:NatPort} gets the pod's address and port in both fragments.
        Bind(17, RemotePort);
        var (replyFirst, replyLater) = Fragments6(Remote6, RemotePort, HostAddress6, NatPort, id: 0x78);
        byte[] replyFirstOut = (await _dp.RunFullAsync(_fromData, "eth0", replyFirst)).PacketOut;
        byte[] replyLaterOut = (await _dp.RunFullAsync(_fromData, "eth0", replyLater)).PacketOut;
        Assert.Equal(IPAddress.Parse(WorkloadA6), new IPAddress(replyFirstOut.AsSpan(38, 16)));
        Assert.Equal(IPAddress.Parse(WorkloadA6), new IPAddress(replyLaterOut.AsSpan(38, 16)));
        Assert.Equal(PodPort, BinaryPrimitives.ReadUInt16BigEndian(replyFirstOut.AsSpan(62 + 2)));
        Assert.Equal(0xffff, UpperSum(replyFirstOut, 17, [.. replyFirstOut[62..], .. replyLaterOut[62..]]));
    }

    /// <summary>
    /// A 48-byte UDP datagram (checksum over all of it) as two IPv6 fragments under <paramref name="id"/>: the UDP header
    /// and 16 bytes behind a fragment header (more to come), then the last 24 bytes at offset 3 (8-byte units).
    /// </summary>
    private static (byte[] First, byte[] Later) Fragments6(string src, int sport, string dst, int dport, uint id)
    {
        byte[] datagram = WithChecksum(src, dst, 17, Ports(sport, dport, 48), 6);
        byte[] FragmentHeader(int offset8, bool more)
        {
            var header = new byte[8];
            header[0] = 17;
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)((offset8 << 3) | (more ? 1 : 0)));
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), id);
            return header;
        }

        return (Frames.Ipv6(src, dst, 44, [.. FragmentHeader(0, more: true), .. datagram[..24]]),
                Frames.Ipv6(src, dst, 44, [.. FragmentHeader(3, more: false), .. datagram[24..]]));
    }

    /// <summary><paramref name="upper"/> with its checksum (at <paramref name="checksumOffset"/>) over the pseudo-header of src, dst.</summary>
    private static byte[] WithChecksum(string src, string dst, byte protocol, byte[] upper, int checksumOffset)
    {
        byte[] frame = Frames.Ipv6(src, dst, protocol, upper);
        BinaryPrimitives.WriteUInt16BigEndian(upper.AsSpan(checksumOffset), 0);
        BinaryPrimitives.WriteUInt16BigEndian(upper.AsSpan(checksumOffset), (ushort)~UpperSum(frame, protocol, upper));
        return upper;
    }

    /// <summary>The folded ones' complement sum of the pseudo-header (the frame's addresses, the upper-layer length and protocol) and <paramref name="upper"/>: 0xffff when its checksum verifies.</summary>
    private static ushort UpperSum(byte[] frame, byte protocol, byte[] upper)
    {
        ulong sum = (ulong)upper.Length + protocol;
        for (int i = 22; i < 54; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(i));
        }

        for (int i = 0; i < upper.Length; i += 2)
        {
            sum += i + 1 < upper.Length ? BinaryPrimitives.ReadUInt16BigEndian(upper.AsSpan(i)) : (ulong)(upper[i] << 8);
        }

        while (sum > 0xffff)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)sum;
    }

    public void Dispose() => _dp.Dispose();
}
