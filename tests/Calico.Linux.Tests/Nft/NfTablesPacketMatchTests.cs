using System.Text.Json;
using Calico.Linux.Nft;
using Calico.TestKit;

namespace Calico.Linux.Tests.Nft;

/// <summary>Root tier: an element added over netlink is matched by the datapath (a ping from a second namespace).</summary>
[Trait("Tier", "Root")]
public class NfTablesPacketMatchTests
{
    private const string Table = """
        table inet calico {
          set cali40s_src { type ipv4_addr; flags interval; }
          chain input {
            type filter hook input priority filter; policy accept;
            ip saddr @cali40s_src counter
          }
        }
        """;

    [Fact]
    public async Task Apply_AddedPrefix_MatchesPingFromAnotherNamespace()
    {
        Prerequisites.Require("nft");
        Prerequisites.Require("ping");
        using var target = new NetnsScope("calt-nft");
        using var pinger = new NetnsScope("calt-nfp");
        target.Ip("link", "add", "nfa", "type", "veth", "peer", "name", "nfb", "netns", pinger.Name);
        target.Ip("addr", "add", "198.51.100.1/24", "dev", "nfa");
        target.Ip("link", "set", "nfa", "up");
        pinger.Ip("addr", "add", "198.51.100.2/24", "dev", "nfb");
        pinger.Ip("link", "set", "nfb", "up");
        await NftRunner.ApplyInAsync(target.Path, Table, CancellationToken.None);
        using NfTablesSetElements elements = await NfTablesSetElements.OpenInAsync(target.Path, CancellationToken.None);

        // Neighbours on both sides: .0/31's end key is the pinger's address .2 (intervals are half-open) and .3 starts
        // right after it, so a wrong end encoding would show up as a match here.
        elements.Apply("inet", "calico",
        [
            new SetElementChange("cali40s_src", NftSetKind.Ipv4Prefix, true, "198.51.100.0/31"),
            new SetElementChange("cali40s_src", NftSetKind.Ipv4Prefix, true, "198.51.100.3"),
        ]);
        Ping(pinger);
        Assert.Equal(0, CounterPackets(target));

        elements.Apply("inet", "calico", [new SetElementChange("cali40s_src", NftSetKind.Ipv4Prefix, true, "198.51.100.2")]);
        Ping(pinger);

        Assert.True(CounterPackets(target) > 0, "the ping's source was added to the set, so the rule's counter should count it");
    }

    private static void Ping(NetnsScope pinger)
    {
        (int exit, string output, string error) = pinger.Exec("ping", "-c", "1", "-W", "5", "198.51.100.1");
        Assert.True(exit == 0, $"ping failed: {output} {error}");
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
