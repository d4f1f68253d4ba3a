using Calico.Bird.Control;

namespace Calico.Bird.Tests;

[Trait("Tier", "Unit")]
public sealed class BirdControlParsingTests
{
    private static BirdReply Reply(params string[] lines)
    {
        var reader = new BirdReplyReader();
        for (var i = 0; i < lines.Length; i++)
        {
            Assert.Equal(i == lines.Length - 1, reader.Add(lines[i]));
        }

        return reader.Take();
    }

    [Fact]
    public void ShowProtocols_Bird2Table_RowsWithCollapsedInfo()
    {
        var reply = Reply(
            "2002-Name       Proto      Table      State  Since         Info",
            "1002-device1    Device     ---        up     12:52:45  ",
            " kernel_v4  Kernel     master4    up     12:52:45  ",
            " Mesh_10_0_0_2 BGP        ---        up     12:52:47  Established   ",
            " Global_10_0_0_254 BGP        ---        start  2026-11-25 12:52:45  Active        Socket: Connection refused",
            "0000 ");

        var rows = BirdProtocolTable.Parse(reply);

        Assert.Equal(4, rows.Count);
        Assert.Equal(new BirdProtocolStatus("Mesh_10_0_0_2", "BGP", "---", "up", "12:52:47", "Established"), rows[2]);
        Assert.Equal(new BirdProtocolStatus("Global_10_0_0_254", "BGP", "---", "start", "2026-11-25 12:52:45", "Active Socket: Connection refused"), rows[3]);
        Assert.Equal("", rows[0].Info);
    }

    [Fact]
    public void ShowProtocols_UnknownHeadings_Throws()
    {
        var reply = Reply("2002-Name Proto Something", "0000 ");
        Assert.Throws<BirdControlException>(() => BirdProtocolTable.Parse(reply));
    }

    [Fact]
    public void Reply_ErrorCode_IsError()
    {
        var reply = Reply("8002 /run/bird.cfg:2:1 syntax error, unexpected CF_SYM_UNDEFINED");
        Assert.True(reply.IsError);
        Assert.Equal(8002, reply.FinalCode);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("12ab-x")]
    [InlineData("0001")]
    public void Reader_MalformedLine_Throws(string line) =>
        Assert.Throws<BirdControlException>(() => new BirdReplyReader().Add(line));
}
