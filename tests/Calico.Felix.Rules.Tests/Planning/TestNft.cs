using Calico.Nftables;

namespace Calico.Felix.Rules.Tests.Planning;

/// <summary>
/// Typed rules, sets and maps for hand-made planner tables, written the way tests read: the few rule forms they use
/// (<c>ip saddr @s</c>, <c>counter</c>, a verdict, <c>masquerade</c>, a trailing comment) are built into statements
/// here. Not an nft parser: any other word throws.
/// </summary>
internal static class TestNft
{
    public static NftChainHeader ForwardFilter { get; } = new(NftChainType.Filter, NftHook.Forward, NftPriority.Filter);

    public static NftRule Rule(string text)
    {
        string? comment = null;
        int quote = text.IndexOf(" comment \"", StringComparison.Ordinal);
        if (quote >= 0)
        {
            comment = text[(quote + " comment \"".Length)..^1];
            text = text[..quote];
        }

        var statements = new List<NftStatement>();
        string[] words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < words.Length; i++)
        {
            switch (words[i])
            {
                case "ip" when words[i + 1] == "saddr" && words[i + 2].StartsWith('@'):
                    statements.Add(new NftMatch(NftField.IpSaddr, new NftSetReference(words[i + 2][1..])));
                    i += 2;
                    break;
                case "counter":
                    statements.Add(NftCounter.Instance);
                    break;
                case "masquerade":
                    statements.Add(new NftMasquerade(fullyRandom: false));
                    break;
                case "accept":
                    statements.Add(NftVerdict.Accept);
                    break;
                case "drop":
                    statements.Add(NftVerdict.Drop);
                    break;
                case "return":
                    statements.Add(NftVerdict.Return);
                    break;
                case "jump":
                    statements.Add(NftVerdict.Jump(words[++i]));
                    break;
                case "goto":
                    statements.Add(NftVerdict.Goto(words[++i]));
                    break;
                default:
                    throw new ArgumentException($"word '{words[i]}' is not one the test helper builds", nameof(text));
            }
        }

        return new NftRule(statements, comment);
    }

    public static NftChain Chain(string name, params string[] rules) => Chain(name, null, rules);

    public static NftChain Chain(string name, NftChainHeader? header, params string[] rules) => new(name, header, null, rules.Select(Rule));

    /// <summary>An <c>ipv4_addr</c> set (interval unless told) of addresses or prefixes.</summary>
    public static NftSet Set(string name, params string[] elements) => Set(name, interval: true, elements);

    public static NftSet Set(string name, bool interval, params string[] elements) =>
        new(name, NftSetType.Of(NftDataType.Ipv4Addr, interval), null, elements.Select(e => new NftElement(NftPrefix.Parse(e))));

    /// <summary>An <c>ifname : verdict</c> map; elements as nft writes them, <c>"cali1" : goto cali-b</c>.</summary>
    public static NftSet Map(string name, params string[] elements) => new(name, IfnameVerdict, null, elements.Select(MapElement));

    private static NftElement MapElement(string text)
    {
        int close = text.IndexOf("\" : ", 1, StringComparison.Ordinal);
        return new NftElement(new NftInterfaceName(text[1..close]), VerdictOf(text[(close + 4)..]));
    }

    public static NftSetType IfnameVerdict { get; } = new([NftDataType.Ifname], mapValue: NftDataType.Verdict);

    private static NftVerdict VerdictOf(string text) => Rule(text).Statements[^1] as NftVerdict
        ?? throw new ArgumentException($"'{text}' is not a verdict", nameof(text));
}
