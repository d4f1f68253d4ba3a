using Calico.Felix.Calc.Model;

namespace Calico.Benchmarks;

/// <summary>One ruleset under test: the full nft transaction (null = no table at all, the anchor).</summary>
internal sealed record PacketsRuleset(string Label, string? NftText, int Policies, PolicyKey? FinalPolicy, TimeSpan BuildTime);
