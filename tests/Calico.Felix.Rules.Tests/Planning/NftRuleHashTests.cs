using System.Text;
using Calico.Felix.Rules.Planning;

namespace Calico.Felix.Rules.Tests.Planning;

[Trait("Tier", "Unit")]
public sealed class NftRuleHashTests
{
    private static NftTable Table(params string[] rules) => new([], [], [TestNft.Chain("cali-a", rules)]);

    [Fact]
    public void Stamp_RuleWithoutComment_GetsHashComment()
    {
        NftRule rule = NftRuleHash.Stamp(Table("counter accept")).Chains[0].Rules[0];

        Assert.Matches("^counter accept comment \"cali:[A-Za-z0-9_-]{16}\"$", rule.Text);
        Assert.Equal(TestNft.Rule("counter accept").Statements.ToArray(), rule.Statements.ToArray());
    }

    [Fact]
    public void Stamp_RuleWithComment_HashFirstThenOwnComment()
    {
        NftRule rule = NftRuleHash.Stamp(Table("counter accept comment \"Policy x\"")).Chains[0].Rules[0];

        Assert.Matches("^counter accept comment \"cali:[A-Za-z0-9_-]{16}; Policy x\"$", rule.Text);
        Assert.Equal(NftRuleHash.HashOfComment(rule.Comment), NftRuleHash.HashesOf(NftRuleHash.Stamp(Table("counter accept comment \"Policy x\"")).Chains[0])[0]);
    }

    [Fact]
    public void Stamp_LongComment_CutToNftLimitKeepingTheHash()
    {
        NftRule rule = NftRuleHash.Stamp(Table("counter accept comment \"" + new string('x', 120) + "\"")).Chains[0].Rules[0];

        string comment = rule.Comment!;
        Assert.Equal(NftRuleHash.MaxCommentBytes, Encoding.UTF8.GetByteCount(comment));
        Assert.NotNull(NftRuleHash.HashOfComment(comment));
    }

    [Fact]
    public void Hash_IsChained_SameRuleAtAnotherPlaceHashesDifferently()
    {
        string?[] ab = NftRuleHash.HashesOf(NftRuleHash.Stamp(Table("counter drop", "counter accept")).Chains[0]);
        string?[] ba = NftRuleHash.HashesOf(NftRuleHash.Stamp(Table("counter accept", "counter drop")).Chains[0]);
        string?[] again = NftRuleHash.HashesOf(NftRuleHash.Stamp(Table("counter drop", "counter accept")).Chains[0]);

        Assert.Equal(ab, again);
        Assert.NotEqual(ab[1], ba[0]); // "counter accept" first vs second
        Assert.NotEqual(ab[0], ab[1]);
    }

    [Fact]
    public void Hash_OwnCommentChanged_HashChanges()
    {
        string? plain = NftRuleHash.HashesOf(NftRuleHash.Stamp(Table("counter accept comment \"Policy x\"")).Chains[0])[0];
        string? other = NftRuleHash.HashesOf(NftRuleHash.Stamp(Table("counter accept comment \"Policy y\"")).Chains[0])[0];

        Assert.NotEqual(plain, other);
        Assert.Equal(NftRuleHash.Hash("cali-a", null, TestNft.Rule("counter accept comment \"Policy x\"")), plain);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Policy x")]
    [InlineData("cali:short")]
    public void HashOfComment_NotOurs_IsNull(string? comment) => Assert.Null(NftRuleHash.HashOfComment(comment));
}
