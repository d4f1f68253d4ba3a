using Calico.Linux.Nft;
using Calico.Nftables;
using Calico.TestKit;

namespace Calico.Linux.Tests.Nft;

/// <summary>Root tier: a rule added over netlink is enforced by the datapath, and flushing it lifts it.</summary>
[Trait("Tier", "Root")]
public class NfTablesTransactionPacketTests
{
    private const string Table = """
        table inet calico {
          chain guard {
          }
          chain input {
            type filter hook input priority filter; policy accept;
            jump guard
          }
        }
        """;

    [Fact]
    public async Task Apply_DropRuleThenFlush_StopsThenLetsPingThrough()
    {
        Prerequisites.Require("nft");
        Prerequisites.Require("ping");
        using var target = new NetnsScope("calt-nrt");
        using var pinger = new NetnsScope("calt-nrp");
        target.Ip("link", "add", "nra", "type", "veth", "peer", "name", "nrb", "netns", pinger.Name);
        target.Ip("addr", "add", "198.51.100.1/24", "dev", "nra");
        target.Ip("link", "set", "nra", "up");
        pinger.Ip("addr", "add", "198.51.100.2/24", "dev", "nrb");
        pinger.Ip("link", "set", "nrb", "up");
        await NftRunner.ApplyInAsync(target.Path, Table, CancellationToken.None);
        using NfTables tables = await NfTables.OpenInAsync(target.Path, CancellationToken.None);
        Assert.True(Ping(pinger, waitSeconds: 5), "ping before any rule");

        NfTablesRule drop = TypedRules.Encode(TypedRules.Commented(
            "netlink drop",
            TypedRules.Is(NftField.MetaNfproto, NftNfproto.Ipv4),
            TypedRules.Is(NftField.MetaL4proto, TypedRules.Proto(1)),
            TypedRules.Is(NftField.IpSaddr, TypedRules.Set(TypedRules.Ip("198.51.100.2"), TypedRules.Ip("198.51.100.3"))),
            TypedRules.Is(NftField.IcmpType, TypedRules.N(8)),
            TypedRules.Counter,
            TypedRules.Drop));
        var add = new NfTablesTransaction("inet", "calico");
        add.FlushChain("guard");
        add.AppendRule("guard", drop);
        tables.Apply(add);

        Assert.False(Ping(pinger, waitSeconds: 1), "the drop rule added over netlink should stop the ping");
        (int exit, string listing, string error) = target.Exec("nft", "list", "chain", "inet", "calico", "guard");
        Assert.True(exit == 0, error);
        Assert.DoesNotContain("packets 0 ", listing, StringComparison.Ordinal);

        var remove = new NfTablesTransaction("inet", "calico");
        remove.FlushChain("guard");
        tables.Apply(remove);

        Assert.True(Ping(pinger, waitSeconds: 5), "ping after the chain was flushed");
    }

    /// <summary>One echo request; a reply that has not come back within <paramref name="waitSeconds"/> counts as dropped.</summary>
    private static bool Ping(NetnsScope pinger, int waitSeconds) =>
        pinger.Exec("ping", "-c", "1", "-W", waitSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "198.51.100.1").ExitCode == 0;
}
