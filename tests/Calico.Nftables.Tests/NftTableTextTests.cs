namespace Calico.Nftables.Tests;

[Trait("Tier", "Unit")]
public sealed class NftTableTextTests
{
    [Fact]
    public void FullTransaction_WritesSetsMapsAndChainsAsNftReadsThem()
    {
        var set = new NftSet(
            "cali40s_x",
            NftSetType.Of(NftDataType.Ipv4Addr, interval: true),
            "IP set s:x",
            [new NftElement(NftPrefix.Parse("10.1.0.0/16")), new NftElement(NftPrefix.Parse("10.0.0.1"))]);
        var map = new NftSet(
            "dispatch",
            new NftSetType([NftDataType.Ifname], mapValue: NftDataType.Verdict),
            null,
            [new NftElement(new NftInterfaceName("cali1"), NftVerdict.Goto("cali-fw-cali1"))]);
        var chain = new NftChain(
            "filter-FORWARD",
            new NftChainHeader(NftChainType.Filter, NftHook.Forward, NftPriority.Filter.Plus(-5)),
            null,
            [new NftRule([new NftVerdictMap(NftField.IifName, "dispatch")])]);

        string text = new NftTable([set], [map], [chain]).ToFullTransaction();

        Assert.Equal(
            "table inet calico\n" +
            "delete table inet calico\n" +
            "table inet calico {\n" +
            "\t# IP set s:x\n" +
            "\tset cali40s_x {\n" +
            "\t\ttype ipv4_addr\n" +
            "\t\tflags interval\n" +
            "\t\telements = {\n" +
            "\t\t\t10.0.0.1,\n" +
            "\t\t\t10.1.0.0/16\n" +
            "\t\t}\n" +
            "\t}\n\n" +
            "\tmap dispatch {\n" +
            "\t\ttype ifname : verdict\n" +
            "\t\telements = {\n" +
            "\t\t\t\"cali1\" : goto cali-fw-cali1\n" +
            "\t\t}\n" +
            "\t}\n\n" +
            "\tchain filter-FORWARD {\n" +
            "\t\ttype filter hook forward priority filter - 5; policy accept;\n" +
            "\t\tiifname vmap @dispatch\n" +
            "\t}\n" +
            "}\n",
            text);
    }

    [Theory]
    [InlineData("raw", 0, "raw", -300)]
    [InlineData("filter", -5, "filter - 5", -5)]
    [InlineData("srcnat", 10, "srcnat + 10", 110)]
    public void Priority_IsSpelledByNameAndOffset(string name, int offset, string text, int value)
    {
        var priority = new NftPriority(name, offset);
        Assert.Equal(text, priority.ToString());
        Assert.Equal(value, priority.Value);
    }

    [Fact]
    public void Set_DeclarationLinesAndKeysOfTheType()
    {
        var type = new NftSetType([NftDataType.Ipv6Addr, NftDataType.InetProto, NftDataType.InetService]);
        var element = new NftElement(new NftConcatenation([NftPrefix.Parse("fd00::1"), NftProtocol.Named(6), new NftPortRange(8080)]));
        var set = new NftSet("s", type, null, [element]);

        Assert.Equal(["type ipv6_addr . inet_proto . inet_service"], set.Declaration);
        Assert.Equal(["fd00::1 . tcp . 8080"], set.Elements);
        Assert.Same(element, Assert.Single(set.Items));
        Assert.True(set.SameDeclaration(new NftSet("t", new NftSetType([NftDataType.Ipv6Addr, NftDataType.InetProto, NftDataType.InetService]), null, [])));
        Assert.False(set.SameDeclaration(new NftSet("t", new NftSetType([NftDataType.Ipv6Addr, NftDataType.InetProto, NftDataType.InetService], interval: true), null, [])));
    }

    [Fact]
    public void Set_ElementWithAVerdictInASet_OrWithoutInAMap_Throws()
    {
        Assert.Throws<ArgumentException>(() => new NftSet("s", NftSetType.Of(NftDataType.Ifname), null, [new NftElement(new NftInterfaceName("a"), NftVerdict.Accept)]));
        Assert.Throws<ArgumentException>(() => new NftSet("m", new NftSetType([NftDataType.Ifname], mapValue: NftDataType.Verdict), null, [new NftElement(new NftInterfaceName("a"))]));
    }

    [Fact]
    public void Table_SetAndMapOfOneName_Throws()
    {
        var set = new NftSet("x", NftSetType.Of(NftDataType.Ipv4Addr), null, []);
        var map = new NftSet("x", new NftSetType([NftDataType.Ifname], mapValue: NftDataType.Verdict), null, []);
        Assert.Throws<ArgumentException>(() => new NftTable([set], [map], []));
    }

    [Fact]
    public void Chain_SameRules_ComparesRuleValues()
    {
        NftChain a = new("c", null, null, [new NftRule([NftCounter.Instance, NftVerdict.Drop])]);
        NftChain b = new("c", null, null, [new NftRule([NftCounter.Instance, NftVerdict.Drop])]);
        NftChain c = new("c", null, null, [new NftRule([NftCounter.Instance, NftVerdict.Accept])]);

        Assert.True(a.SameRules(b));
        Assert.False(a.SameRules(c));
    }
}
