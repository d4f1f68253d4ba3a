using System.Text.Json;
using Calico.Linux.Nft;
using Calico.TestKit;

namespace Calico.Linux.Tests.Nft;

/// <summary>
/// Root tier: an address . protocol . port-range element added over netlink is matched by the datapath (a TCP SYN
/// from a second namespace; nothing listens, so the connection is refused, but the SYN has passed the input hook).
/// </summary>
[Trait("Tier", "Root")]
public class NfTablesRangePacketMatchTests
{
    private const string Table = """
        table inet calico {
          set cali40s_box { type ipv4_addr . inet_proto . inet_service; flags interval; }
          chain input {
            type filter hook input priority filter; policy accept;
            ip saddr . meta l4proto . th dport @cali40s_box counter accept
          }
        }
        """;

    [Fact]
    public async Task Apply_AddedBox_MatchesTcpSynFromAnotherNamespace()
    {
        Prerequisites.Require("nft");
        Prerequisites.Require("timeout");
        using var target = new NetnsScope("calt-nrt");
        using var client = new NetnsScope("calt-nrc");
        target.Ip("link", "add", "nra", "type", "veth", "peer", "name", "nrb", "netns", client.Name);
        target.Ip("addr", "add", "198.51.100.1/24", "dev", "nra");
        target.Ip("link", "set", "nra", "up");
        client.Ip("addr", "add", "198.51.100.2/24", "dev", "nrb");
        client.Ip("link", "set", "nrb", "up");
        await NftRunner.ApplyInAsync(target.Path, Table, CancellationToken.None);
        using NfTablesSetElements elements = await NfTablesSetElements.OpenInAsync(target.Path, CancellationToken.None);

        // Boxes that miss the probe in exactly one field each: ports end just below, udp instead of tcp, the next address.
        elements.Apply("inet", "calico",
        [
            new SetElementChange("cali40s_box", NftSetKind.Ipv4ProtoPortInterval, true, "198.51.100.0/24 . 6 . 8000-8079"),
            new SetElementChange("cali40s_box", NftSetKind.Ipv4ProtoPortInterval, true, "198.51.100.2 . 17 . 8080"),
            new SetElementChange("cali40s_box", NftSetKind.Ipv4ProtoPortInterval, true, "198.51.100.3 . 6 . 8080"),
        ]);
        Connect(client);
        Assert.Equal(0, CounterPackets(target));

        // One batch: drop the .3 box and add a /30 covering the client (and .3) with a port range around 8080.
        elements.Apply("inet", "calico",
        [
            new SetElementChange("cali40s_box", NftSetKind.Ipv4ProtoPortInterval, false, "198.51.100.3 . 6 . 8080"),
            new SetElementChange("cali40s_box", NftSetKind.Ipv4ProtoPortInterval, true, "198.51.100.0/30 . 6 . 8080-8090"),
        ]);
        Connect(client);

        Assert.True(CounterPackets(target) > 0, "the SYN's source, protocol and port fall in the added box, so the rule's counter should count it");
    }

    /// <summary>A TCP connect to 198.51.100.1:8080; refused (RST) since nothing listens, which is the expected outcome.</summary>
    private static void Connect(NetnsScope client)
    {
        (int exit, string output, string error) = client.Exec("timeout", "10", "bash", "-c", "exec 3<>/dev/tcp/198.51.100.1/8080");
        Assert.True(exit == 1 && error.Contains("refused", StringComparison.Ordinal), $"expected a refused connection, got exit {exit}: {output} {error}");
    }

    private static long CounterPackets(NetnsScope target)
    {
        (int exit, string output, string error) = target.Exec("nft", "-j", "list", "chain", "inet", "calico", "input");
        Assert.True(exit == 0, error);
        using JsonDocument document = JsonDocument.Parse(output);
        foreach (JsonElement item in document.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (!item.TryGetProperty("rule", out JsonElement rule))
            {
                continue;
            }

            foreach (JsonElement expression in rule.GetProperty("expr").EnumerateArray())
            {
                if (expression.TryGetProperty("counter", out JsonElement counter))
                {
                    return counter.GetProperty("packets").GetInt64();
                }
            }
        }

        throw new InvalidOperationException("no counter rule in chain input: " + output);
    }
}
