using System.Globalization;
using Calico.Linux.Nft;
using Xunit.Abstractions;

namespace Calico.Linux.Tests.Nft;

/// <summary>Root tier: element changes sent over netlink, read back with <c>nft -j list set</c>.</summary>
[Trait("Tier", "Root")]
public class NfTablesSetElementsTests(NfTablesNamespaceFixture fixture, ITestOutputHelper output) : IClassFixture<NfTablesNamespaceFixture>
{
    private const string Ipv4Interval = "type ipv4_addr; flags interval;";
    private const string Ipv6Interval = "type ipv6_addr; flags interval;";
    private const string Ipv4Concat = "type ipv4_addr . inet_proto . inet_service;";
    private const string Ipv6Concat = "type ipv6_addr . inet_proto . inet_service;";

    private static int s_counter;

    [Fact]
    public async Task Apply_HostAddresses_AddAndDeleteKeepAdjacentOnesSeparate()
    {
        string set = await DeclareAsync(Ipv4Interval);

        Apply(Add(set, NftSetKind.Ipv4Prefix, "10.0.0.1"), Add(set, NftSetKind.Ipv4Prefix, "10.0.0.2"), Add(set, NftSetKind.Ipv4Prefix, "10.0.0.3"));
        Assert.Equal(["10.0.0.1", "10.0.0.2", "10.0.0.3"], fixture.ListElements(set));

        Apply(Delete(set, NftSetKind.Ipv4Prefix, "10.0.0.2"));
        Assert.Equal(["10.0.0.1", "10.0.0.3"], fixture.ListElements(set));

        Apply(Delete(set, NftSetKind.Ipv4Prefix, "10.0.0.1"), Delete(set, NftSetKind.Ipv4Prefix, "10.0.0.3"));
        Assert.Empty(fixture.ListElements(set));
    }

    [Theory]
    [InlineData(NftSetKind.Ipv4Prefix, "10.1.0.0/24", "10.1.0.0/24")]
    [InlineData(NftSetKind.Ipv4Prefix, "10.2.0.0/16", "10.2.0.0/16")]
    [InlineData(NftSetKind.Ipv4Prefix, "0.0.0.0/0", "0.0.0.0/0")]
    [InlineData(NftSetKind.Ipv4Prefix, "255.255.255.255/32", "255.255.255.255")]
    [InlineData(NftSetKind.Ipv4Prefix, "255.255.255.255", "255.255.255.255")]
    [InlineData(NftSetKind.Ipv4Prefix, "255.255.255.0/24", "255.255.255.0/24")]
    [InlineData(NftSetKind.Ipv4Prefix, "0.0.0.0", "0.0.0.0")]
    [InlineData(NftSetKind.Ipv6Prefix, "::/0", "::/0")]
    [InlineData(NftSetKind.Ipv6Prefix, "fd00::1/128", "fd00::1")]
    [InlineData(NftSetKind.Ipv6Prefix, "fd00::1", "fd00::1")]
    [InlineData(NftSetKind.Ipv6Prefix, "fd00:1::/64", "fd00:1::/64")]
    [InlineData(NftSetKind.Ipv6Prefix, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")]
    public async Task Apply_Prefix_AddThenDelete(NftSetKind kind, string element, string listed)
    {
        string set = await DeclareAsync(kind == NftSetKind.Ipv4Prefix ? Ipv4Interval : Ipv6Interval);

        Apply(Add(set, kind, element));
        Assert.Equal([listed], fixture.ListElements(set));

        Apply(Delete(set, kind, element));
        Assert.Empty(fixture.ListElements(set));
    }

    [Fact]
    public async Task Apply_PrefixesBesideEachOther_StaySeparateAndDeleteIndividually()
    {
        string set = await DeclareAsync(Ipv4Interval);

        Apply(Add(set, NftSetKind.Ipv4Prefix, "10.0.0.0/24"), Add(set, NftSetKind.Ipv4Prefix, "10.0.1.0/24"),
            Add(set, NftSetKind.Ipv4Prefix, "10.0.2.1"), Add(set, NftSetKind.Ipv4Prefix, "255.255.255.255"), Add(set, NftSetKind.Ipv4Prefix, "0.0.0.0"));
        Assert.Equal(["0.0.0.0", "10.0.0.0/24", "10.0.1.0/24", "10.0.2.1", "255.255.255.255"], fixture.ListElements(set));

        Apply(Delete(set, NftSetKind.Ipv4Prefix, "10.0.1.0/24"), Delete(set, NftSetKind.Ipv4Prefix, "255.255.255.255"));
        Assert.Equal(["0.0.0.0", "10.0.0.0/24", "10.0.2.1"], fixture.ListElements(set));
    }

    [Theory]
    [InlineData(NftSetKind.Ipv4PortConcat, "10.0.0.1 . tcp . 80")]
    [InlineData(NftSetKind.Ipv4PortConcat, "10.0.0.1 . udp . 53")]
    [InlineData(NftSetKind.Ipv4PortConcat, "255.255.255.255 . sctp . 65535")]
    [InlineData(NftSetKind.Ipv6PortConcat, "fd00::1 . tcp . 8080")]
    [InlineData(NftSetKind.Ipv6PortConcat, "fd00::2 . udplite . 1")]
    public async Task Apply_NamedPortConcat_AddThenDelete(NftSetKind kind, string element)
    {
        string set = await DeclareAsync(kind == NftSetKind.Ipv4PortConcat ? Ipv4Concat : Ipv6Concat);

        Apply(Add(set, kind, element));
        Assert.Equal([element], fixture.ListElements(set));

        Apply(Delete(set, kind, element));
        Assert.Empty(fixture.ListElements(set));
    }

    [Theory]
    [InlineData(NftSetKind.Ipv4Addr, "type ipv4_addr;", "192.0.2.7")]
    [InlineData(NftSetKind.Ipv6Addr, "type ipv6_addr;", "2001:db8::7")]
    public async Task Apply_PlainAddressSet_AddThenDelete(NftSetKind kind, string declaration, string element)
    {
        string set = await DeclareAsync(declaration);

        Apply(Add(set, kind, element));
        Assert.Equal([element], fixture.ListElements(set));

        Apply(Delete(set, kind, element));
        Assert.Empty(fixture.ListElements(set));
    }

    [Fact]
    public async Task Apply_BatchMixingDeletesAndAddsOnSeveralSets_AppliesAll()
    {
        string v4 = await DeclareAsync(Ipv4Interval);
        string v6 = await DeclareAsync(Ipv6Interval);
        string ports = await DeclareAsync(Ipv4Concat);
        Apply(Add(v4, NftSetKind.Ipv4Prefix, "10.0.0.1"), Add(v4, NftSetKind.Ipv4Prefix, "10.9.0.0/16"),
            Add(v6, NftSetKind.Ipv6Prefix, "fd00::1"), Add(ports, NftSetKind.Ipv4PortConcat, "10.0.0.1 . tcp . 80"));

        Apply(
            Delete(v4, NftSetKind.Ipv4Prefix, "10.0.0.1"),
            Add(v6, NftSetKind.Ipv6Prefix, "fd00::2"),
            Delete(ports, NftSetKind.Ipv4PortConcat, "10.0.0.1 . tcp . 80"),
            Add(v4, NftSetKind.Ipv4Prefix, "10.0.0.2"),
            Add(ports, NftSetKind.Ipv4PortConcat, "10.0.0.2 . tcp . 80"),
            Delete(v6, NftSetKind.Ipv6Prefix, "fd00::1"),
            Add(v4, NftSetKind.Ipv4Prefix, "10.0.0.3"));

        Assert.Equal(["10.0.0.2", "10.0.0.3", "10.9.0.0/16"], fixture.ListElements(v4));
        Assert.Equal(["fd00::2"], fixture.ListElements(v6));
        Assert.Equal(["10.0.0.2 . tcp . 80"], fixture.ListElements(ports));
    }

    [Fact]
    public async Task Apply_DeleteThenAddOverlappingIntervalInOneBatch_Replaces()
    {
        string set = await DeclareAsync(Ipv4Interval);
        Apply(Add(set, NftSetKind.Ipv4Prefix, "10.0.0.1"), Add(set, NftSetKind.Ipv4Prefix, "10.0.0.200"));

        Apply(Delete(set, NftSetKind.Ipv4Prefix, "10.0.0.1"), Delete(set, NftSetKind.Ipv4Prefix, "10.0.0.200"), Add(set, NftSetKind.Ipv4Prefix, "10.0.0.0/24"));

        Assert.Equal(["10.0.0.0/24"], fixture.ListElements(set));
    }

    [Fact]
    public async Task Apply_LastChangeDeletesMissingElement_FailsAndAppliesNothing()
    {
        string first = await DeclareAsync(Ipv4Interval);
        string second = await DeclareAsync(Ipv4Concat);
        Apply(Add(first, NftSetKind.Ipv4Prefix, "10.0.0.1"));

        NetlinkException failure = Assert.Throws<NetlinkException>(() => Apply(
            Delete(first, NftSetKind.Ipv4Prefix, "10.0.0.1"),
            Add(first, NftSetKind.Ipv4Prefix, "10.0.0.2"),
            Add(second, NftSetKind.Ipv4PortConcat, "10.0.0.2 . tcp . 443"),
            Delete(second, NftSetKind.Ipv4PortConcat, "10.0.0.9 . tcp . 443")));

        output.WriteLine(failure.Message);

        Assert.Equal(2, failure.Errno);
        Assert.Contains(second, failure.Message, StringComparison.Ordinal);
        Assert.Contains("10.0.0.9 . tcp . 443", failure.Message, StringComparison.Ordinal);
        Assert.Contains("element not in set", failure.Message, StringComparison.Ordinal);
        Assert.Contains("ENOENT", failure.Message, StringComparison.Ordinal);
        Assert.Equal(["10.0.0.1"], fixture.ListElements(first));
        Assert.Empty(fixture.ListElements(second));
    }

    [Fact]
    public async Task Apply_ElementInsideMessageFails_NamesThatElement()
    {
        string set = await DeclareAsync(Ipv4Interval);
        Apply(Add(set, NftSetKind.Ipv4Prefix, "10.0.0.5"));

        NetlinkException failure = Assert.Throws<NetlinkException>(() => Apply(
            Delete(set, NftSetKind.Ipv4Prefix, "10.0.0.5"),
            Delete(set, NftSetKind.Ipv4Prefix, "10.0.0.6"),
            Delete(set, NftSetKind.Ipv4Prefix, "10.0.0.7")));

        output.WriteLine(failure.Message);

        Assert.Contains("element 10.0.0.6:", failure.Message, StringComparison.Ordinal);
        Assert.Equal(["10.0.0.5"], fixture.ListElements(set));
    }

    [Fact]
    public async Task Apply_AddOverlappingInterval_FailsWithEexist()
    {
        string set = await DeclareAsync(Ipv4Interval);
        Apply(Add(set, NftSetKind.Ipv4Prefix, "10.0.0.0/24"));

        NetlinkException failure = Assert.Throws<NetlinkException>(() => Apply(Add(set, NftSetKind.Ipv4Prefix, "10.0.0.7")));

        output.WriteLine(failure.Message);

        Assert.Equal(17, failure.Errno);
        Assert.Contains("10.0.0.7", failure.Message, StringComparison.Ordinal);
        Assert.Equal(["10.0.0.0/24"], fixture.ListElements(set));
    }

    [Fact]
    public async Task Apply_ReAddIdenticalElements_IsNotAnError()
    {
        string set = await DeclareAsync(Ipv4Interval);
        string ports = await DeclareAsync(Ipv4Concat);
        Apply(Add(set, NftSetKind.Ipv4Prefix, "10.0.0.0/24"), Add(ports, NftSetKind.Ipv4PortConcat, "10.0.0.1 . tcp . 80"));

        Apply(Add(set, NftSetKind.Ipv4Prefix, "10.0.0.0/24"), Add(ports, NftSetKind.Ipv4PortConcat, "10.0.0.1 . tcp . 80"));

        Assert.Equal(["10.0.0.0/24"], fixture.ListElements(set));
        Assert.Equal(["10.0.0.1 . tcp . 80"], fixture.ListElements(ports));
    }

    [Fact]
    public void Apply_MissingSet_NamesTheSet()
    {
        NetlinkException failure = Assert.Throws<NetlinkException>(() => Apply(Add("cali40s_missing", NftSetKind.Ipv4Prefix, "10.0.0.1")));

        output.WriteLine(failure.Message);

        Assert.Equal(2, failure.Errno);
        Assert.Contains("cali40s_missing: no such set", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(NftSetKind.Ipv4Prefix, "10.0.0.1/24")]
    [InlineData(NftSetKind.Ipv4Prefix, "fd00::1")]
    [InlineData(NftSetKind.Ipv4Addr, "10.0.0.0/24")]
    [InlineData(NftSetKind.Ipv4PortConcat, "10.0.0.1 . tcp")]
    public async Task Apply_MalformedElement_ThrowsAndSendsNothing(NftSetKind kind, string element)
    {
        string set = await DeclareAsync(Ipv4Interval);

        Assert.Throws<ArgumentException>(() => Apply(Add(set, NftSetKind.Ipv4Prefix, "10.0.0.1"), Add(set, kind, element)));

        Assert.Empty(fixture.ListElements(set));
    }

    [Fact]
    public async Task Apply_ThousandsOfChangesInOneBatch_SpanSeveralMessages()
    {
        string set = await DeclareAsync(Ipv4Interval);
        string ports = await DeclareAsync(Ipv4Concat);
        var changes = new List<SetElementChange>();
        for (int i = 0; i < 6000; i++)
        {
            string address = string.Create(CultureInfo.InvariantCulture, $"10.{i >> 8}.{i & 255}.1");
            changes.Add(Add(set, NftSetKind.Ipv4Prefix, address));
            if (i % 10 == 0)
            {
                changes.Add(Add(ports, NftSetKind.Ipv4PortConcat, address + " . tcp . 80"));
            }
        }

        Apply([.. changes]);

        Assert.Equal(6000, fixture.ListElements(set).Count);
        Assert.Equal(600, fixture.ListElements(ports).Count);
    }

    [Fact]
    public async Task Apply_AlternatingSets_OneMessageEachAllAcknowledged()
    {
        string first = await DeclareAsync(Ipv4Interval);
        string second = await DeclareAsync(Ipv4Interval);
        var changes = new List<SetElementChange>();
        for (int i = 0; i < 3000; i++)
        {
            string address = string.Create(CultureInfo.InvariantCulture, $"10.{i >> 8}.{i & 255}.1");
            changes.Add(Add(i % 2 == 0 ? first : second, NftSetKind.Ipv4Prefix, address));
        }

        Apply([.. changes]);

        Assert.Equal(1500, fixture.ListElements(first).Count);
        Assert.Equal(1500, fixture.ListElements(second).Count);
    }

    [Fact]
    public async Task Apply_ElementsWrittenByNft_AreDeletedOverNetlinkAndTheOtherWayRound()
    {
        string set = await DeclareAsync(Ipv4Interval);
        await NftRunner.ApplyInAsync(fixture.Scope.Path, $"add element inet calico {set} {{ 10.0.0.1, 10.0.1.0/24 }}\n", CancellationToken.None);

        Apply(Delete(set, NftSetKind.Ipv4Prefix, "10.0.0.1"), Add(set, NftSetKind.Ipv4Prefix, "10.0.0.2"), Add(set, NftSetKind.Ipv4Prefix, "10.0.2.0/24"));
        Assert.Equal(["10.0.0.2", "10.0.1.0/24", "10.0.2.0/24"], fixture.ListElements(set));

        await NftRunner.ApplyInAsync(fixture.Scope.Path, $"delete element inet calico {set} {{ 10.0.0.2, 10.0.2.0/24 }}\n", CancellationToken.None);
        Assert.Equal(["10.0.1.0/24"], fixture.ListElements(set));
    }

    private async Task<string> DeclareAsync(string body)
    {
        string name = "cali40s_t" + Interlocked.Increment(ref s_counter).ToString(CultureInfo.InvariantCulture);
        await fixture.DeclareAsync((name, body));
        return name;
    }

    private void Apply(params SetElementChange[] changes) => fixture.Elements.Apply("inet", "calico", changes);

    private static SetElementChange Add(string set, NftSetKind kind, string element) => new(set, kind, true, element);

    private static SetElementChange Delete(string set, NftSetKind kind, string element) => new(set, kind, false, element);
}
