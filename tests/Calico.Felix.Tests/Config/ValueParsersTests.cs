using Calico.Felix.Config;

namespace Calico.Felix.Tests.Config;

[Trait("Tier", "Unit")]
public sealed class ValueParsersTests
{
    [Theory]
    [InlineData("90", 90_000)]
    [InlineData("90s", 90_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5", 1_500)]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    [InlineData("250ms", 250)]
    [InlineData("1h", 3_600_000)]
    [InlineData("2h45m", 9_900_000)]
    [InlineData("1e1", 10_000)]
    public void Seconds_ValidText_Parses(string raw, long expectedMillis)
    {
        var parsed = ValueParsers.Seconds(raw);

        Assert.True(parsed.Ok, parsed.Error);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMillis), parsed.Value);
    }

    [Theory]
    [InlineData("abc", "not a duration")]
    [InlineData("1x", "not a duration")]
    [InlineData("s", "not a duration")]
    [InlineData("1m30", "not a duration")]
    [InlineData("-5", "duration must not be negative")]
    [InlineData("-1m", "duration must not be negative")]
    public void Seconds_InvalidText_Fails(string raw, string expectedError)
    {
        var parsed = ValueParsers.Seconds(raw);

        Assert.False(parsed.Ok);
        Assert.Equal(expectedError, parsed.Error);
    }

    [Theory]
    [InlineData("50", 50)]
    [InlineData("50ms", 50)]
    [InlineData("1s", 1000)]
    public void Millis_ValidText_Parses(string raw, long expectedMillis)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMillis), ValueParsers.Millis(raw).Value);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("1", true)]
    [InlineData("yes", true)]
    [InlineData("Y", true)]
    [InlineData("t", true)]
    [InlineData("false", false)]
    [InlineData("0", false)]
    [InlineData("No", false)]
    [InlineData("n", false)]
    [InlineData("F", false)]
    public void Bool_ValidText_Parses(string raw, bool expected)
    {
        var parsed = ValueParsers.Bool(raw);

        Assert.True(parsed.Ok);
        Assert.Equal(expected, parsed.Value);
    }

    [Theory]
    [InlineData("maybe")]
    [InlineData("2")]
    [InlineData("on")]
    public void Bool_InvalidText_Fails(string raw)
    {
        Assert.Equal("not a boolean", ValueParsers.Bool(raw).Error);
    }

    [Theory]
    [InlineData("42", 42)]
    [InlineData("-1", -1)]
    [InlineData("0x10", 16)]
    [InlineData("0o17", 15)]
    [InlineData("017", 15)]
    [InlineData("0b101", 5)]
    [InlineData("+7", 7)]
    public void Int_GoSyntax_Parses(string raw, int expected)
    {
        var parsed = ValueParsers.Int()(raw);

        Assert.True(parsed.Ok, parsed.Error);
        Assert.Equal(expected, parsed.Value);
    }

    [Theory]
    [InlineData("abc", "not an integer")]
    [InlineData("1.5", "not an integer")]
    [InlineData("09", "not an integer")]
    [InlineData("", "not an integer")]
    [InlineData("99999999999", "value must be at most 65535")]
    [InlineData("65536", "value must be at most 65535")]
    [InlineData("-1", "value must be at least 0")]
    public void Int_InvalidOrOutOfRange_Fails(string raw, string expectedError)
    {
        var parsed = ValueParsers.Int(0, 65535)(raw);

        Assert.False(parsed.Ok);
        Assert.Equal(expectedError, parsed.Error);
    }

    [Theory]
    [InlineData("tcp:22,udp:68", "tcp:22,udp:68")]
    [InlineData("22", "tcp:22")]
    [InlineData("TCP:22, UDP:68 ,", "tcp:22,udp:68")]
    [InlineData("udp:10.0.0.0/8:53", "udp:10.0.0.0/8:53")]
    [InlineData("tcp:10.1.2.3:22", "tcp:10.1.2.3/32:22")]
    [InlineData("tcp:[fd00::/8]:22", "tcp:[fd00::/8]:22")]
    [InlineData("", "")]
    public void PortList_ValidText_Parses(string raw, string expected)
    {
        var parsed = ValueParsers.PortList(raw);

        Assert.True(parsed.Ok, parsed.Error);
        Assert.Equal(expected, string.Join(',', parsed.Value));
    }

    [Theory]
    [InlineData("sctp:22", "unknown protocol: sctp")]
    [InlineData("tcp:ssh", "ports should be integers")]
    [InlineData("tcp:70000", "ports must be in range 0-65535")]
    [InlineData("tcp:a:b:22", "ports should be <protocol>:<net>:<number> or <protocol>:<number> or <number>")]
    [InlineData("tcp:notanet:22", "invalid CIDR or IP notanet")]
    public void PortList_InvalidText_Fails(string raw, string expectedError)
    {
        var parsed = ValueParsers.PortList(raw);

        Assert.False(parsed.Ok);
        Assert.Equal(expectedError, parsed.Error);
    }

    [Theory]
    [InlineData("0xffff0000", 0xffff0000u)]
    [InlineData("4294901760", 0xffff0000u)]
    [InlineData("0x3", 3u)]
    public void MarkBitmask_Valid_Parses(string raw, uint expected)
    {
        Assert.Equal(expected, ValueParsers.MarkBitmask(raw).Value);
    }

    [Theory]
    [InlineData("0x1", "invalid mark: needs to have 2 bits set")]
    [InlineData("0", "invalid mark: needs to have 2 bits set")]
    [InlineData("0x1ffffffff", "invalid mark: should be 32-bit int")]
    [InlineData("mask", "invalid mark: should be 32-bit int")]
    public void MarkBitmask_Invalid_Fails(string raw, string expectedError)
    {
        Assert.Equal(expectedError, ValueParsers.MarkBitmask(raw).Error);
    }

    [Theory]
    [InlineData("kube-ipvs0", "kube-ipvs0", true)]
    [InlineData("kube-ipvs0", "kube-ipvs01", false)]
    [InlineData("kube-ipvs0,/^veth.*/", "veth123", true)]
    [InlineData("/^veth.*/", "eth0", false)]
    public void IfaceListRegexp_Valid_MatchesAsUpstream(string raw, string iface, bool matches)
    {
        var parsed = ValueParsers.IfaceListRegexp(raw);

        Assert.True(parsed.Ok, parsed.Error);
        Assert.Equal(matches, parsed.Value.Any(r => r.IsMatch(iface)));
    }

    [Theory]
    [InlineData("bad name")]
    [InlineData("/[/")]
    [InlineData("waytoolonginterfacename")]
    public void IfaceListRegexp_Invalid_Fails(string raw)
    {
        Assert.False(ValueParsers.IfaceListRegexp(raw).Ok);
    }

    [Theory]
    [InlineData("cali", new[] { "cali" })]
    [InlineData("cali,tap", new[] { "cali", "tap" })]
    public void IfaceList_Valid_Splits(string raw, string[] expected)
    {
        Assert.Equal(expected, ValueParsers.IfaceList(raw).Value);
    }

    [Theory]
    [InlineData("cali,")]
    [InlineData("cali tap")]
    public void IfaceList_Invalid_Fails(string raw)
    {
        Assert.False(ValueParsers.IfaceList(raw).Ok);
    }

    [Theory]
    [InlineData("etcdv3", DatastoreType.Etcdv3)]
    [InlineData("ETCDV3", DatastoreType.Etcdv3)]
    [InlineData("Kubernetes", DatastoreType.Kubernetes)]
    public void OneOf_AnyCase_Parses(string raw, DatastoreType expected)
    {
        Assert.Equal(expected, ValueParsers.OneOf<DatastoreType>(raw).Value);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("etcd")]
    public void OneOf_NumberOrUnknown_Fails(string raw)
    {
        Assert.False(ValueParsers.OneOf<DatastoreType>(raw).Ok);
    }

    [Theory]
    [InlineData("32768:65535", true)]
    [InlineData("1000", true)]
    [InlineData("http", false)]
    [InlineData("65535:1", false)]
    public void PortRange_Text_ParsesOnlyNumericRanges(string raw, bool ok)
    {
        Assert.Equal(ok, ValueParsers.PortRange(raw).Ok);
    }

    [Theory]
    [InlineData("10.0.0.1", true)]
    [InlineData("fd00::1", false)]
    [InlineData("10.0.0", false)]
    public void Ipv4_Text_AcceptsOnlyDottedQuads(string raw, bool ok)
    {
        Assert.Equal(ok, ValueParsers.Ipv4(raw).Ok);
    }

    [Theory]
    [InlineData("http://127.0.0.1:2379", true)]
    [InlineData("https://etcd-1:2379,https://etcd-2:2379", true)]
    [InlineData("127.0.0.1:2379", false)]
    [InlineData("ftp://x:1", false)]
    public void EndpointList_Text_AcceptsHttpUrls(string raw, bool ok)
    {
        Assert.Equal(ok, ValueParsers.EndpointList(raw).Ok);
    }
}
