using Calico.Linux.Nft;

namespace Calico.Linux.Tests.Nft;

/// <summary>Pure tier: what the compiler accepts, what it refuses and why. The kernel oracle checks the expressions.</summary>
public class NftRuleCompilerTests
{
    public static TheoryData<string> Corpus()
    {
        var data = new TheoryData<string>();
        foreach (string rule in NftRuleCorpus.All())
        {
            data.Add(rule);
        }

        return data;
    }

    [Fact]
    public void Corpus_ReadsTheRendererGoldenFiles()
    {
        IReadOnlyList<string> rules = NftRuleCorpus.RendererRules();

        Assert.True(rules.Count >= 50, $"only {rules.Count} rules found in the golden files");
        Assert.Contains("ct state established,related counter accept", rules);
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void TryCompile_CorpusRule_Accepted(string text)
    {
        bool compiled = NfTablesRule.TryCompile(text, out NfTablesRule? rule, out string? reason);

        Assert.True(compiled, reason);
        Assert.Null(reason);
        Assert.Equal(text, rule!.Text);
        Assert.NotEmpty(rule.Expressions);
    }

    [Theory]
    [InlineData("counter reject", "unsupported statement 'reject'")]
    [InlineData("tcp dport 80 accept", "unsupported statement 'tcp'")]
    [InlineData("meta skuid 0 accept", "unsupported meta key 'skuid'")]
    [InlineData("ip protocol tcp accept", "unsupported match 'ip protocol'")]
    [InlineData("ct state foo accept", "unsupported ct state 'foo'")]
    [InlineData("ct state != established,related accept", "a negated list of ct states")]
    [InlineData("ip saddr 10.0.0.1/8 accept", "host bits set")]
    [InlineData("ip saddr 10.1 accept", "not an IPv4 address")]
    [InlineData("ip saddr fd00::1 accept", "not an IPv4 address")]
    [InlineData("ip6 saddr 10.0.0.1 accept", "not an IPv6 address")]
    [InlineData("ip saddr 10.0.0.0/33 accept", "bad prefix length")]
    [InlineData("th dport 70000 accept", "not a port")]
    [InlineData("th dport 90-80 accept", "not a port")]
    [InlineData("meta nfproto ipv6 ip saddr 10.0.0.1 accept", "conflicts with the IPv6 match")]
    [InlineData("meta l4proto tcp icmp type 8 accept", "conflicts with meta l4proto 6")]
    [InlineData("accept counter", "after the verdict")]
    [InlineData("accept comment \"a\" counter", "after the comment")]
    [InlineData("counter comment \"unterminated", "unterminated quoted string")]
    [InlineData("ip saddr { 10.0.0.1, 10.0.0.2 accept", "unterminated '{'")]
    [InlineData("ip saddr { 10.0.0.1,, 10.0.0.2 } accept", "empty element")]
    [InlineData("", "empty rule")]
    [InlineData("jump", "rule ends where jump target is expected")]
    [InlineData("iifname eth0 accept", "quoted interface name")]
    [InlineData("iifname \"eth0-with-a-long-name\" accept", "unsupported interface name")]
    [InlineData("log prefix \"x\" level debug", "unsupported log option 'level'")]
    [InlineData("meta mark set 0x1", "expected 'meta'")]
    [InlineData("meta mark & 0x1 == zz", "not a 32-bit mark value")]
    [InlineData("icmp type . icmp code { 3 . 4-5 } accept", "not a number")]
    [InlineData("ip saddr . meta l4proto 10.0.0.1 accept", "wants @set or { ... }")]
    [InlineData("counter accept comment \"01234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890\"", "at most 128 characters")]
    [InlineData("counter accept comment \"caf\u00e9\"", "printable ASCII")]
    [InlineData("fib iif oif missing drop", "unsupported fib key 'iif'")]
    [InlineData("fib saddr . iif . iif oif missing drop", "fib modifier 'iif' twice")]
    [InlineData("fib saddr . oif oif missing drop", "unsupported fib modifier 'oif'")]
    [InlineData("fib saddr . iif type local drop", "expected 'oif'")]
    [InlineData("fib saddr . iif oif eq 0 drop", "unsupported fib result test 'eq'")]
    public void TryCompile_OutsideTheGrammar_RefusedWithReason(string text, string reasonPart)
    {
        bool compiled = NfTablesRule.TryCompile(text, out NfTablesRule? rule, out string? reason);

        Assert.False(compiled);
        Assert.Null(rule);
        Assert.NotNull(reason);
        Assert.Contains(reasonPart, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCompile_EveryTruncationOfEveryCorpusRule_NeverThrows()
    {
        foreach (string text in NftRuleCorpus.All())
        {
            for (int length = 0; length < text.Length; length++)
            {
                bool compiled = NfTablesRule.TryCompile(text[..length], out NfTablesRule? rule, out string? reason);
                Assert.True(compiled ? rule is not null && reason is null : rule is null && reason is not null, text[..length]);
            }
        }
    }

    [Fact]
    public void TryCompile_NullText_RefusedNotThrown()
    {
        Assert.False(NfTablesRule.TryCompile(null!, out NfTablesRule? rule, out string? reason));
        Assert.Null(rule);
        Assert.NotNull(reason);
    }

    [Theory]
    [InlineData("ip saddr 10.0.0.1 ip daddr 10.0.0.2 accept", 7)]
    [InlineData("meta nfproto ipv4 ip saddr 10.0.0.1 accept", 5)]
    [InlineData("icmp type 8 accept", 7)]
    [InlineData("meta l4proto icmp icmp type 8 accept", 5)]
    [InlineData("th dport 80 accept", 3)]
    [InlineData("th dport 80-90 accept", 4)]
    [InlineData("fib saddr . iif oif missing drop", 3)]
    [InlineData("iifname \"cali*\" ip6 saddr != :: fib saddr . iif oif missing drop", 9)]
    public void TryCompile_ImplicitDependencies_AddedOnceAsNftDoes(string text, int expressions)
    {
        Assert.True(NfTablesRule.TryCompile(text, out NfTablesRule? rule, out string? reason), reason);

        Assert.Equal(expressions, rule!.Expressions.Count);
    }

    [Theory]
    [InlineData("th dport { 80, 443 } accept", 1, false)]
    [InlineData("th dport { 80, 443-444 } accept", 1, true)]
    [InlineData("th dport { 80 } accept", 0, false)]
    [InlineData("ip saddr { 10.0.0.0/8 } ip daddr { 10.0.0.1, 10.0.0.0/8 } accept", 1, true)]
    [InlineData("icmp type . icmp code != { 3 . 4 } accept", 1, false)]
    public void TryCompile_AnonymousSets_OnlyForMoreThanOneElementOrConcatenations(string text, int sets, bool interval)
    {
        Assert.True(NfTablesRule.TryCompile(text, out NfTablesRule? rule, out string? reason), reason);

        Assert.Equal(sets, rule!.AnonymousSets.Count);
        if (sets > 0)
        {
            Assert.Equal(interval, rule.AnonymousSets[0].Interval);
        }
    }

    [Fact]
    public void TryCompile_IntervalSetElements_MergedWithLeadingZeroEnd()
    {
        Assert.True(NfTablesRule.TryCompile("th dport { 80-90, 91, 100 } accept", out NfTablesRule? rule, out _));

        // 0 (end), 80, 92 (end), 100, 101 (end): as nft sends it.
        NftAnonymousSet set = rule!.AnonymousSets[0];
        Assert.Equal(
            ["0000 end", "0050", "005c end", "0064", "0065 end"],
            set.Elements.Select(e => Convert.ToHexStringLower(e.Key) + (e.IntervalEnd ? " end" : string.Empty)));
        Assert.Equal(5, set.DescSize);
    }

    [Fact]
    public void TryCompile_IntervalToTheTop_OpenWithoutEndElement()
    {
        Assert.True(NfTablesRule.TryCompile("ip6 saddr { ::/0, fd00::1 } accept", out NfTablesRule? rule, out _));

        NftAnonymousSet.Element only = Assert.Single(rule!.AnonymousSets[0].Elements);
        Assert.True(only.OpenInterval);
        Assert.False(only.IntervalEnd);
    }

    [Fact]
    public void TryCompile_IntervalConcatSet_ConvertsL4protoByteOrder()
    {
        Assert.True(NfTablesRule.TryCompile("ip saddr . meta l4proto @calim4-x drop", out NfTablesRule? merged, out _));
        Assert.True(NfTablesRule.TryCompile("ip saddr . meta l4proto @cali40n_x drop", out NfTablesRule? plain, out _));
        Assert.True(NfTablesRule.TryCompile("ip saddr . meta l4proto @x drop", _ => true, out NfTablesRule? told, out _));

        Assert.Contains(merged!.Expressions, e => e.Name == "byteorder");
        Assert.DoesNotContain(plain!.Expressions, e => e.Name == "byteorder");
        Assert.Contains(told!.Expressions, e => e.Name == "byteorder");
    }

    [Fact]
    public void TryCompile_Comment_KeptOutOfTheExpressions()
    {
        Assert.True(NfTablesRule.TryCompile("counter accept comment \"Return if policy accepted\"", out NfTablesRule? rule, out _));

        Assert.Equal("Return if policy accepted", rule!.Comment);
        Assert.Equal(["counter", "immediate"], rule.Expressions.Select(e => e.Name));
    }
}
