using System.Net;
using System.Net.Sockets;
using System.Text;
using Calico.Felix.Calc.Model;
using Calico.Linux;
using Calico.TestKit;

namespace Calico.Felix.Rules.Tests;

/// <summary>
/// Root tier, real packets: IP protocol 4 from a Calico host's address is accepted by the host, from another address
/// it is dropped. This kernel has no ipip (and .NET no raw socket of protocol 4), so the client writes whole IPv4
/// packets of protocol 4 on an IPPROTO_RAW socket, one from each of its two addresses, and the rules' own counters
/// say which rule each packet met.
/// </summary>
[Trait("Tier", "Root")]
public sealed class IpipRulesKernelTests
{
    [Fact]
    public async Task IpipOn_Protocol4FromAHostAddressIsAccepted_FromAnyOtherAddressIsDropped()
    {
        using var host = new NetnsScope("calt-ipr");
        using var client = new NetnsScope("calt-ipc");
        host.Ip("link", "add", "up0", "type", "veth", "peer", "name", "cl0", "netns", client.Name);
        host.Ip("addr", "add", "10.99.0.1/24", "dev", "up0");
        host.Ip("link", "set", "up0", "up");
        client.Ip("addr", "add", "10.99.0.2/24", "dev", "cl0");
        client.Ip("addr", "add", "10.99.0.3/24", "dev", "cl0");
        client.Ip("link", "set", "cl0", "up");
        var nat = new NatInputs(["10.70.0.0/16"], []) { HostAddresses = ["10.99.0.1/24", "10.99.0.2/24"], IpipPoolCidrs = ["10.70.0.0/16"] };
        new KernelNft(host).Apply(NftablesRenderer.Build(new DataplaneState(), new RenderConfig(), nat).ToFullTransaction(), "ipip rules");

        using Socket raw = await NetworkNamespace.RunInAsync(client.Path, () => new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Raw));
        for (int i = 0; i < 2; i++)
        {
            raw.SendTo(IpipPacket("10.99.0.2", "10.99.0.1"), new IPEndPoint(IPAddress.Parse("10.99.0.1"), 0));
        }

        raw.SendTo(IpipPacket("10.99.0.3", "10.99.0.1"), new IPEndPoint(IPAddress.Parse("10.99.0.1"), 0));

        string input = "";
        for (int attempt = 0; attempt < 50 && !(Counted(input, "Allow IPIP packets from Calico hosts", 2) && Counted(input, "Drop IPIP", 1)); attempt++)
        {
            await Task.Delay(20);
            input = host.Exec("nft", "list", "chain", "inet", "calico", "filter-INPUT").Output;
        }

        Assert.True(Counted(input, "Allow IPIP packets from Calico hosts", 2), input);
        Assert.True(Counted(input, "Drop IPIP", 1), input);
    }

    private static bool Counted(string chain, string comment, int packets) =>
        chain.Split('\n').Any(l => l.Contains(comment, StringComparison.Ordinal) && l.Contains($"counter packets {packets} ", StringComparison.Ordinal));

    /// <summary>An IPv4 header of protocol 4 (the kernel fills length, id and checksum) and a few bytes of payload.</summary>
    private static byte[] IpipPacket(string source, string destination)
    {
        var packet = new byte[20 + 8];
        packet[0] = 0x45;
        packet[8] = 64;
        packet[9] = 4;
        IPAddress.Parse(source).TryWriteBytes(packet.AsSpan(12, 4), out _);
        IPAddress.Parse(destination).TryWriteBytes(packet.AsSpan(16, 4), out _);
        Encoding.ASCII.GetBytes("calico-4").CopyTo(packet, 20);
        return packet;
    }
}
