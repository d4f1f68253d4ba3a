namespace Calico.Benchmarks;

/// <summary>What one ruleset measured, filled in as the runs complete.</summary>
internal sealed class PacketsRulesetResult(PacketsRuleset ruleset)
{
    public PacketsRuleset Ruleset { get; } = ruleset;

    public List<double> Gbits { get; } = [];

    public List<PacketsCrrResult> Crr { get; } = [];

    public TimeSpan LoadTime { get; set; }

    public TimeSpan ListTime { get; set; }

    public long NewFlows { get; set; }

    public long? FinalPolicyPackets { get; set; }
}
