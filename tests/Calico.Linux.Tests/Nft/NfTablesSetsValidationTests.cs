using Calico.Linux.Nft;

namespace Calico.Linux.Tests.Nft;

/// <summary>Set and map steps validate their arguments when added, before anything reaches the kernel.</summary>
[Trait("Tier", "Unit")]
public class NfTablesSetsValidationTests
{
    [Theory]
    [InlineData("")]
    [InlineData("cali1234abcd5678")] // 16 characters: no room for the NUL of IFNAMSIZ
    [InlineData("has space")]
    [InlineData("quo\"te")]
    [InlineData("caf\u00e9")]
    public void ChangeMapElements_BadKey_ArgumentException(string key)
    {
        var transaction = new NfTablesTransaction("inet", "calico");
        Assert.Throws<ArgumentException>(() => transaction.ChangeMapElements("dispatch", [new MapElementChange(true, key, "accept")]));
        Assert.Equal(0, transaction.Count);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("return")]
    [InlineData("goto")]
    [InlineData("goto ")]
    [InlineData("goto a b")]
    [InlineData("call chain")]
    [InlineData("ACCEPT")]
    public void ChangeMapElements_BadVerdictOnAdd_ArgumentException(string? verdict)
    {
        var transaction = new NfTablesTransaction("inet", "calico");
        ArgumentException error = Assert.Throws<ArgumentException>(() => transaction.ChangeMapElements("dispatch", [new MapElementChange(true, "cali0", verdict)]));
        Assert.Contains("\"cali0\"", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("accept")]
    [InlineData("drop")]
    [InlineData("goto cali-tw-cali0")]
    [InlineData("jump cali-fw-cali0")]
    public void ChangeMapElements_GoodVerdict_OneStep(string verdict)
    {
        var transaction = new NfTablesTransaction("inet", "calico");
        transaction.ChangeMapElements("dispatch", [new MapElementChange(true, "cali0", verdict), new MapElementChange(false, "cali1", null)]);
        Assert.Equal(1, transaction.Count);
    }

    [Fact]
    public void SetSteps_BadNameOrKind_ArgumentException()
    {
        var transaction = new NfTablesTransaction("inet", "calico");
        Assert.Throws<ArgumentException>(() => transaction.AddSet("", NftSetKind.Ipv4Addr));
        Assert.Throws<ArgumentException>(() => transaction.AddSet("s", (NftSetKind)99));
        Assert.Throws<ArgumentException>(() => transaction.DeleteSet(""));
        Assert.Throws<ArgumentException>(() => transaction.AddVerdictMap(new string('m', 256)));
        Assert.Equal(0, transaction.Count);
    }
}
