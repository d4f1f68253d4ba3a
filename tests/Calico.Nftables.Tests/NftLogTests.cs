namespace Calico.Nftables.Tests;

[Trait("Tier", "Unit")]
public sealed class NftLogTests
{
    [Theory]
    [InlineData("API0|0123", (ushort)1, null, null, "log prefix \"API0|0123\" group 1")]
    [InlineData(null, (ushort)7, null, null, "log group 7")]
    [InlineData("DRI", (ushort)2, 128u, (ushort)16, "log prefix \"DRI\" group 2 snaplen 128 queue-threshold 16")]
    [InlineData("calico-packet ", null, null, null, "log prefix \"calico-packet \"")]
    public void Text_AsNftListsIt(string? prefix, ushort? group, uint? snaplen, ushort? threshold, string expected) =>
        Assert.Equal(expected, new NftRule([new NftLog(prefix, group, snaplen, threshold)]).Text);

    [Fact]
    public void New_SnaplenWithoutGroupOrQuotedPrefix_Refused()
    {
        Assert.Throws<ArgumentException>(() => new NftLog("x", null, snaplen: 64));
        Assert.Throws<ArgumentException>(() => new NftLog("a\"b", 1));
        Assert.Throws<ArgumentNullException>(() => new NftLog(null!));
    }
}
