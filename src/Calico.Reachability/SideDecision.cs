using Calico.Felix.Calc.Model;

namespace Calico.Reachability;

/// <summary>
/// The verdict of one endpoint for one direction, and what decided it: a rule (tier, policy, rule index and
/// action), a tier's default action, a profile rule, or the final drop.
/// </summary>
public sealed record SideDecision(EndpointKey Endpoint, TrafficDirection Direction, Verdict Verdict, DecisionSource Source)
{
    public string? Tier { get; init; }

    public PolicyKey? Policy { get; init; }

    public string? Profile { get; init; }

    /// <summary>The rule's index in its policy's or profile's rule list for this direction.</summary>
    public int? RuleIndex { get; init; }

    public RuleAction? Action { get; init; }

    /// <summary>Tiers whose policies passed (Pass rule or Pass default) before the decision, in order.</summary>
    public IReadOnlyList<string> PassedTiers { get; init; } = [];

    /// <summary>For a tier's default action: the policies of that tier that selected the endpoint and matched nothing.</summary>
    public IReadOnlyList<PolicyKey> EvaluatedPolicies { get; init; } = [];

    /// <summary>One line naming what decided, e.g. "tier default policy default/x/allow rule 0: Allow".</summary>
    public string Reason => Source switch
    {
        DecisionSource.PolicyRule => $"tier {Tier} policy {Policy} rule {RuleIndex}: {Action}",
        DecisionSource.TierDefault => EvaluatedPolicies.Count == 0
            ? $"end of tier {Tier}: default action {Action}"
            : $"end of tier {Tier}: default action {Action} (no rule matched in {string.Join(", ", EvaluatedPolicies)})",
        DecisionSource.ProfileRule => $"profile {Profile} rule {RuleIndex}: {Action}",
        DecisionSource.ProfileMissing => $"profile {Profile} is missing: deny",
        _ => "no policy or profile allowed: drop",
    };

    public override string ToString() => $"{Direction} at {Endpoint}: {Verdict.ToString().ToUpperInvariant()} ({Reason})";
}
