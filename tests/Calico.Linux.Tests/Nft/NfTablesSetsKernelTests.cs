using System.Text;
using Calico.Linux.Interop;
using Calico.Linux.Nft;
using Calico.Nftables;
using Calico.TestKit;

namespace Calico.Linux.Tests.Nft;

/// <summary>
/// Root tier: a set or verdict map declared over netlink (<see cref="NfTablesTransaction.AddSet"/>,
/// <see cref="NfTablesTransaction.AddVerdictMap"/>) and filled in the same transaction must be indistinguishable from its
/// twin written by <c>nft -f</c>: the same <c>nft list set</c> text, the same set attributes in the kernel (GETSET:
/// flags, key type/length, concatenation field lengths, userdata), the same elements in
/// <c>nft --debug=netlink list set</c>. Plus all-or-nothing failures naming the step.
/// </summary>
[Trait("Tier", "Root")]
public class NfTablesSetsKernelTests
{
    private const string NftTwin = "twin-nft";
    private const string NetlinkTwin = "twin-netlink";

    public static TheoryData<NftSetKind, string, string[]> EveryKind() => new()
    {
        { NftSetKind.Ipv4Addr, "type ipv4_addr;", ["10.0.0.1", "10.0.0.2"] },
        { NftSetKind.Ipv6Addr, "type ipv6_addr;", ["fd00::1", "fd00::2"] },
        { NftSetKind.Ipv4Prefix, "type ipv4_addr; flags interval;", ["10.0.0.0/24", "10.1.0.1", "192.168.0.0/16"] },
        { NftSetKind.Ipv6Prefix, "type ipv6_addr; flags interval;", ["fd00::/64", "fd00:1::1"] },
        { NftSetKind.Ipv4PortConcat, "type ipv4_addr . inet_proto . inet_service;", ["10.0.0.1 . tcp . 80", "10.0.0.2 . udp . 53"] },
        { NftSetKind.Ipv6PortConcat, "type ipv6_addr . inet_proto . inet_service;", ["fd00::1 . tcp . 80", "fd00::2 . sctp . 9"] },
        { NftSetKind.Ipv4ProtoInterval, "type ipv4_addr . inet_proto; flags interval;", ["10.0.0.0/24 . 6", "10.1.0.1 . 17"] },
        { NftSetKind.Ipv6ProtoInterval, "type ipv6_addr . inet_proto; flags interval;", ["fd00::/64 . 6", "fd00:1::1 . 17"] },
        { NftSetKind.Ipv4ProtoPortInterval, "type ipv4_addr . inet_proto . inet_service; flags interval;", ["10.0.0.0/24 . 6 . 80-90", "10.0.0.5 . 6 . 443", "0.0.0.0/0 . 17 . 0-65535"] },
        { NftSetKind.Ipv6ProtoPortInterval, "type ipv6_addr . inet_proto . inet_service; flags interval;", ["fd00::/64 . 6 . 80-90", "fd00:1::1 . 17 . 53"] },
    };

    [Theory]
    [MemberData(nameof(EveryKind))]
    public async Task AddSet_EveryKind_KernelHoldsWhatNftWouldDeclare(NftSetKind kind, string declaration, string[] elements)
    {
        using NetnsScope scope = await TableAsync($"set {NftTwin} {{ {declaration} elements = {{ {string.Join(", ", elements)} }} }}");
        var transaction = new NfTablesTransaction("inet", "calico");
        transaction.AddSet(NetlinkTwin, kind);
        transaction.ChangeElements([.. elements.Select(e => new SetElementChange(NetlinkTwin, kind, true, e))]);
        using (NfTables tables = await NfTables.OpenInAsync(scope.Path, CancellationToken.None))
        {
            tables.Apply(transaction);
        }

        await AssertTwinsAsync(scope, "set", dropLeadingZeroEnd: NfTablesElementCodec.IsInterval(kind));
    }

    [Fact]
    public async Task AddSet_Empty_KernelHoldsWhatNftWouldDeclare()
    {
        using NetnsScope scope = await TableAsync($"set {NftTwin} {{ type ipv6_addr . inet_proto . inet_service; flags interval; }}");
        var transaction = new NfTablesTransaction("inet", "calico");
        transaction.AddSet(NetlinkTwin, NftSetKind.Ipv6ProtoPortInterval);
        using (NfTables tables = await NfTables.OpenInAsync(scope.Path, CancellationToken.None))
        {
            tables.Apply(transaction);
            tables.Apply(transaction); // an identical existing set is fine, as with `nft add set`
        }

        await AssertTwinsAsync(scope, "set", dropLeadingZeroEnd: false);
    }

    [Fact]
    public async Task ChangeMapElements_AddThenDeleteByKey_ListsAsNftWould()
    {
        using NetnsScope scope = await TableAsync(
            "chain cali-tw-cali1234abcd567 { }\n chain other { }\n" +
            $" map {NftTwin} {{ type ifname : verdict; elements = {{ \"cali1234abcd567\" : goto cali-tw-cali1234abcd567, \"x\" : accept, \"eth0\" : drop, \"cali0\" : jump other }} }}");
        var transaction = new NfTablesTransaction("inet", "calico");
        transaction.AddVerdictMap(NetlinkTwin);
        transaction.ChangeMapElements(NetlinkTwin, [
            new MapElementChange(true, "cali1234abcd567", "goto cali-tw-cali1234abcd567"),
            new MapElementChange(true, "x", "accept"),
            new MapElementChange(true, "eth0", "drop"),
            new MapElementChange(true, "cali0", "jump other"),
        ]);
        using NfTables tables = await NfTables.OpenInAsync(scope.Path, CancellationToken.None);
        tables.Apply(transaction);
        await AssertTwinsAsync(scope, "map", dropLeadingZeroEnd: false);

        Exec(scope, "nft", "delete", "element", "inet", "calico", NftTwin, "{ \"cali1234abcd567\", \"x\" }");
        var delete = new NfTablesTransaction("inet", "calico");
        delete.ChangeMapElements(NetlinkTwin, [new MapElementChange(false, "cali1234abcd567", null), new MapElementChange(false, "x", null)]);
        tables.Apply(delete);
        await AssertTwinsAsync(scope, "map", dropLeadingZeroEnd: false);
        Assert.DoesNotContain("cali1234abcd567", Exec(scope, "nft", "list", "map", "inet", "calico", NetlinkTwin), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangeMapElements_ChainMissing_ThrowsNamingTheStepAndChangesNothing()
    {
        using NetnsScope scope = await TableAsync("chain present { }\n map dispatch { type ifname : verdict; elements = { \"cali0\" : goto present } }");
        string before = Exec(scope, "nft", "list", "table", "inet", "calico");
        var transaction = new NfTablesTransaction("inet", "calico");
        transaction.AddChain("fresh");
        transaction.ChangeMapElements("dispatch", [new MapElementChange(false, "cali0", null)]);
        transaction.ChangeMapElements("dispatch", [new MapElementChange(true, "cali1", "goto cali-tw-missing")]);

        using NfTables tables = await NfTables.OpenInAsync(scope.Path, CancellationToken.None);
        NetlinkException error = Assert.Throws<NetlinkException>(() => tables.Apply(transaction));

        Assert.Equal(Errno.ENOENT, error.Errno);
        Assert.StartsWith("NFT_MSG_NEWSETELEM inet calico dispatch element \"cali1\" : goto cali-tw-missing: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Exec(scope, "nft", "list", "table", "inet", "calico"));
    }

    [Fact]
    public async Task DeleteSet_Referenced_FailsWithEbusyAndAppliesNothing()
    {
        using NetnsScope scope = await TableAsync("set used { type ipv4_addr; }\n chain guard { ip saddr @used counter accept; }");
        string before = Exec(scope, "nft", "list", "table", "inet", "calico");
        var transaction = new NfTablesTransaction("inet", "calico");
        transaction.AddSet("fresh", NftSetKind.Ipv4Prefix);
        transaction.DeleteSet("used");

        using NfTables tables = await NfTables.OpenInAsync(scope.Path, CancellationToken.None);
        NetlinkException error = Assert.Throws<NetlinkException>(() => tables.Apply(transaction));

        Assert.Equal(16, error.Errno); // EBUSY, as `nft delete set`
        Assert.StartsWith("NFT_MSG_DELSET inet calico used: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Exec(scope, "nft", "list", "table", "inet", "calico"));
    }

    [Fact]
    public async Task DeleteSet_Unreferenced_RemovesSetAndMap()
    {
        using NetnsScope scope = await TableAsync("set unused { type ipv4_addr; elements = { 10.0.0.1 } }\n map dispatch { type ifname : verdict; }");
        var transaction = new NfTablesTransaction("inet", "calico");
        transaction.DeleteSet("unused");
        transaction.DeleteSet("dispatch");
        transaction.AddSet("unused", NftSetKind.Ipv6Addr); // delete + re-declare with another type in one batch

        using NfTables tables = await NfTables.OpenInAsync(scope.Path, CancellationToken.None);
        tables.Apply(transaction);

        string table = Exec(scope, "nft", "list", "table", "inet", "calico");
        Assert.DoesNotContain("dispatch", table, StringComparison.Ordinal);
        Assert.Contains("type ipv6_addr", table, StringComparison.Ordinal);
        Assert.DoesNotContain("10.0.0.1", table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddSet_ThenRuleUsingIt_InOneBatch()
    {
        using NetnsScope scope = await TableAsync("chain guard { }");
        var transaction = new NfTablesTransaction("inet", "calico");
        transaction.AddSet("cali40s-new", NftSetKind.Ipv4Prefix);
        transaction.ChangeElements([new SetElementChange("cali40s-new", NftSetKind.Ipv4Prefix, true, "10.0.0.0/8")]);
        transaction.AddVerdictMap("cali-to-wl-dispatch");
        transaction.AddChain("cali-tw-cali0");
        transaction.ChangeMapElements("cali-to-wl-dispatch", [new MapElementChange(true, "cali0", "goto cali-tw-cali0")]);
        NfTablesRule byAddress = TypedRules.Encode(TypedRules.R(TypedRules.Is(NftField.IpSaddr, TypedRules.At("cali40s-new")), TypedRules.Counter, TypedRules.Accept));
        NfTablesRule byInterface = TypedRules.Encode(TypedRules.R(new NftVerdictMap(NftField.OifName, "cali-to-wl-dispatch")));
        transaction.AppendRule("guard", byAddress);
        transaction.AppendRule("guard", byInterface);

        using NfTables tables = await NfTables.OpenInAsync(scope.Path, CancellationToken.None);
        tables.Apply(transaction);

        string chain = Exec(scope, "nft", "list", "chain", "inet", "calico", "guard");
        Assert.Contains("ip saddr @cali40s-new counter packets 0 bytes 0 accept", chain, StringComparison.Ordinal);
        Assert.Contains("oifname vmap @cali-to-wl-dispatch", chain, StringComparison.Ordinal);
    }

    /// <summary>The twins list alike (names aside), hold the same attributes, and the same element keys.</summary>
    private static async Task AssertTwinsAsync(NetnsScope scope, string what, bool dropLeadingZeroEnd)
    {
        Assert.Equal(
            Exec(scope, "nft", "list", what, "inet", "calico", NftTwin).Replace(NftTwin, "X", StringComparison.Ordinal),
            Exec(scope, "nft", "list", what, "inet", "calico", NetlinkTwin).Replace(NetlinkTwin, "X", StringComparison.Ordinal));
        List<string> nftAttributes = await NfTablesSetsKernelDump.AttributesAsync(scope.Path, NftTwin);
        Assert.Contains(nftAttributes, a => a.StartsWith("13=", StringComparison.Ordinal)); // userdata is compared too
        Assert.Equal(nftAttributes, await NfTablesSetsKernelDump.AttributesAsync(scope.Path, NetlinkTwin));
        List<string> nftElements = DebugElements(scope, what, NftTwin);
        if (dropLeadingZeroEnd)
        {
            // nft's first write into an empty rbtree set adds an all-zero interval end; we do not (NF_TABLES.md).
            nftElements.RemoveAll(IsZeroEnd);
        }

        Assert.Equal(nftElements, DebugElements(scope, what, NetlinkTwin));
    }

    private static bool IsZeroEnd(string element)
    {
        string[] parts = element.Split(':');
        return parts.Length == 2 && parts[1].Trim() == "1 [end]" && parts[0]["element".Length..].Trim().Replace(" ", string.Empty, StringComparison.Ordinal).All(c => c == '0');
    }

    /// <summary>The element lines of <c>nft --debug=netlink list set|map</c>, sorted (dump order is the backend's).</summary>
    private static List<string> DebugElements(NetnsScope scope, string what, string name)
    {
        (int exit, string output, string error) = scope.Exec("nft", "--debug=netlink", "list", what, "inet", "calico", name);
        Assert.True(exit == 0, error);
        var elements = new List<string>();
        foreach (string line in (output + "\n" + error).Split('\n'))
        {
            if (line.StartsWith('\t') && line.TrimStart().StartsWith("element", StringComparison.Ordinal))
            {
                elements.Add(line.Trim());
            }
        }

        elements.Sort(StringComparer.Ordinal);
        return elements;
    }

    private static string Exec(NetnsScope scope, params string[] command)
    {
        (int exit, string output, string error) = scope.Exec(command[0], command[1..]);
        Assert.True(exit == 0, $"{string.Join(' ', command)}: {error}");
        return output;
    }

    private static Task<NetnsScope> TableAsync(string body) => NftTestTable.CreateAsync("calt-nfs", body);
}
