namespace Calico.Reachability;

/// <summary>What decided one side of a flow.</summary>
public enum DecisionSource
{
    /// <summary>A rule of a policy in a tier (Allow or Deny).</summary>
    PolicyRule,

    /// <summary>No rule of the tier matched: the tier's end-of-tier default action (Deny).</summary>
    TierDefault,

    /// <summary>A rule of a profile (Allow or Deny).</summary>
    ProfileRule,

    /// <summary>A profile the endpoint lists is not active: fail closed (deny-all stand-in).</summary>
    ProfileMissing,

    /// <summary>No policy decided and no profile allowed: drop.</summary>
    NoMatch,
}
