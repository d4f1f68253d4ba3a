using Calico.Felix.Calc.Model;

namespace Calico.Benchmarks;

/// <summary>One ruleset under test: the full nft transaction (null = no table at all, the anchor).</summary>
internal sealed record PacketsRuleset(string Label, string? NftText, int Policies, PolicyKey? FinalPolicy, TimeSpan BuildTime)
{
    /// <summary>The calculation graph's output the text was rendered from (the eBPF subjects compile it into maps too).</summary>
    public DataplaneState? State { get; init; }
}
