using Calico.Selectors.Parsing;

namespace Calico.Selectors.Tests;

[Trait("Tier", "Unit")]
public sealed class LexerTests
{
    // Upstream tokenizer_test.go tokenTests that succeed. Tokens print as Kind or Kind(value).
    [Theory]
    [InlineData("a==\"b\"", "Label(a) Eq StringLiteral(b) End")]
    [InlineData("a!=\"b\"", "Label(a) Ne StringLiteral(b) End")]
    [InlineData("a != \"b\"", "Label(a) Ne StringLiteral(b) End")]
    [InlineData("(a==\"b\")", "LParen Label(a) Eq StringLiteral(b) RParen End")]
    [InlineData("label == \"value\"", "Label(label) Eq StringLiteral(value) End")]
    [InlineData("label contains \"value\"", "Label(label) Contains StringLiteral(value) End")]
    [InlineData("contains contains \"contains\"", "Label(contains) Contains StringLiteral(contains) End")]
    [InlineData("contains contains 'contains'", "Label(contains) Contains StringLiteral(contains) End")]
    [InlineData("label contains\"value\"", "Label(label) Contains StringLiteral(value) End")]
    [InlineData("label startswith \"value\"", "Label(label) StartsWith StringLiteral(value) End")]
    [InlineData("label endswith \"value\"", "Label(label) EndsWith StringLiteral(value) End")]
    [InlineData("label starts with \"value\"", "Label(label) StartsWith StringLiteral(value) End")]
    [InlineData("startswith starts with \"value\"", "Label(startswith) StartsWith StringLiteral(value) End")]
    [InlineData("label ends with \"value\"", "Label(label) EndsWith StringLiteral(value) End")]
    [InlineData("endswith ends with \"value\"", "Label(endswith) EndsWith StringLiteral(value) End")]
    [InlineData("label starts  with \"value\"", "Label(label) StartsWith StringLiteral(value) End")]
    [InlineData("label ends  with \"value\"", "Label(label) EndsWith StringLiteral(value) End")]
    [InlineData("a not in \"bar\" && !has(foo) || b in c", "Label(a) NotIn StringLiteral(bar) And Not Has(foo) Or Label(b) In Label(c) End")]
    [InlineData("has(calico/k8s_ns)", "Has(calico/k8s_ns) End")]
    [InlineData("has(calico/k8s_ns/role)", "Has(calico/k8s_ns/role) End")]
    [InlineData("has(calico/k8s_NS-.1/role)", "Has(calico/k8s_NS-.1/role) End")]
    [InlineData("calico/k8s_ns == \"kube-system\" && k8s-app == \"kube-dns\"", "Label(calico/k8s_ns) Eq StringLiteral(kube-system) And Label(k8s-app) Eq StringLiteral(kube-dns) End")]
    [InlineData("a  not  in  \"bar\"  &&  ! has( foo )  ||  b  in  c ", "Label(a) NotIn StringLiteral(bar) And Not Has(foo) Or Label(b) In Label(c) End")]
    [InlineData("a notin\"bar\"&&!has(foo)||b in\"c\"", "Label(a) NotIn StringLiteral(bar) And Not Has(foo) Or Label(b) In StringLiteral(c) End")]
    [InlineData("a not in {}", "Label(a) NotIn LBrace RBrace End")]
    [InlineData("a not in {\"a\"}", "Label(a) NotIn LBrace StringLiteral(a) RBrace End")]
    [InlineData("a not in {\"a\",\"B\"}", "Label(a) NotIn LBrace StringLiteral(a) Comma StringLiteral(B) RBrace End")]
    [InlineData("global()", "Global End")]
    [InlineData("global( )", "Global End")]
    [InlineData("all()", "All End")]
    [InlineData("all( )", "All End")]
    [InlineData("", "End")]
    [InlineData(" \t ", "End")]
    [InlineData("a == \"x y\tz\"", "Label(a) Eq StringLiteral(x y\tz) End")]
    [InlineData("a == \"\\\"", "Label(a) Eq StringLiteral(\\) End")]
    [InlineData("a == 'line\nbreak'", "Label(a) Eq StringLiteral(line\nbreak) End")]
    [InlineData("in in{\"in\"}", "Label(in) In LBrace StringLiteral(in) RBrace End")]
    public void Tokenize_UpstreamVectors_GivesTokens(string input, string expected) =>
        Assert.Equal(expected, Format(Lexer.Tokenize(input)));

    [Fact]
    public void Tokenize_512CharacterLabel_IsOneLabel()
    {
        var label = new string('a', 512);
        Assert.Equal($"Label({label}) Eq StringLiteral(value) End", Format(Lexer.Tokenize(label + " == \"value\"")));
    }

    [Fact]
    public void Tokenize_Offsets_PointAtTokenStart()
    {
        var tokens = Lexer.Tokenize("  a  ==\t'b'");
        Assert.Equal([2, 5, 8, 11], tokens.Select(t => t.Start));
    }

    [Theory]
    [InlineData("a-b_c.d/e", true)]
    [InlineData("A9", true)]
    [InlineData("", false)]
    [InlineData("a b", false)]
    [InlineData("a:b", false)]
    [InlineData("\u00e9", false)]
    public void IsValidLabelName_Input_MatchesGrammar(string label, bool expected) =>
        Assert.Equal(expected, Selector.IsValidLabelName(label));

    [Fact]
    public void IsValidLabelName_TooLong_False() =>
        Assert.False(Selector.IsValidLabelName(new string('a', 513)));

    private static string Format(List<Token> tokens) =>
        string.Join(" ", tokens.Select(t => t.Value is null ? t.Kind.ToString() : $"{t.Kind}({t.Value})"));
}
