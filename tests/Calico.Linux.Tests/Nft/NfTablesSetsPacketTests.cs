using System.Globalization;
using Calico.Linux.Nft;
using Calico.Nftables;
using Calico.TestKit;

namespace Calico.Linux.Tests.Nft;

/// <summary>Root tier: a dispatch map declared and filled over netlink steers real packets; deleting the element lifts it.</summary>
[Trait("Tier", "Root")]
public class NfTablesSetsPacketTests
{
    private const string Table = """
        table inet calico {
          chain input {
            type filter hook input priority filter; policy accept;
          }
        }
        """;

    [Fact]
    public async Task ChangeMapElements_GotoDropChainThenDelete_StopsThenLetsPingThrough()
    {
        Prerequisites.Require("nft");
        Prerequisites.Require("ping");
        using var target = new NetnsScope("calt-nst");
        using var pinger = new NetnsScope("calt-nsp");
        target.Ip("link", "add", "nsa", "type", "veth", "peer", "name", "nsb", "netns", pinger.Name);
        target.Ip("addr", "add", "198.51.100.1/24", "dev", "nsa");
        target.Ip("link", "set", "nsa", "up");
        pinger.Ip("addr", "add", "198.51.100.2/24", "dev", "nsb");
        pinger.Ip("link", "set", "nsb", "up");
        await NftRunner.ApplyInAsync(target.Path, Table, CancellationToken.None);
        using NfTables tables = await NfTables.OpenInAsync(target.Path, CancellationToken.None);
        Assert.True(Ping(pinger, waitSeconds: 5), "ping before any map");

        // The dispatch map, its target chain, the rule using it and the element: one batch, as calico-node sends a pod add.
        var add = new NfTablesTransaction("inet", "calico");
        add.AddVerdictMap("cali-from-wl-dispatch");
        add.AddChain("cali-fw-nsa");
        NfTablesRule drop = TypedRules.Encode(TypedRules.R(TypedRules.Counter, TypedRules.Drop));
        NfTablesRule dispatch = TypedRules.Encode(TypedRules.R(new NftVerdictMap(NftField.IifName, "cali-from-wl-dispatch")));
        add.AppendRule("cali-fw-nsa", drop);
        add.AppendRule("input", dispatch);
        add.ChangeMapElements("cali-from-wl-dispatch", [new MapElementChange(true, "nsa", "goto cali-fw-nsa")]);
        tables.Apply(add);

        Assert.False(Ping(pinger, waitSeconds: 1), "the map element added over netlink should send the ping to the drop chain");
        (int exit, string listing, string error) = target.Exec("nft", "list", "chain", "inet", "calico", "cali-fw-nsa");
        Assert.True(exit == 0, error);
        Assert.DoesNotContain("packets 0 ", listing, StringComparison.Ordinal);

        var remove = new NfTablesTransaction("inet", "calico");
        remove.ChangeMapElements("cali-from-wl-dispatch", [new MapElementChange(false, "nsa", null)]);
        tables.Apply(remove);

        Assert.True(Ping(pinger, waitSeconds: 5), "ping after the map element was deleted");
    }

    /// <summary>One echo request; a reply that has not come back within <paramref name="waitSeconds"/> counts as dropped.</summary>
    private static bool Ping(NetnsScope pinger, int waitSeconds) =>
        pinger.Exec("ping", "-c", "1", "-W", waitSeconds.ToString(CultureInfo.InvariantCulture), "198.51.100.1").ExitCode == 0;
}
