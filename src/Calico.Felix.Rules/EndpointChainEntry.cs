using Calico.Felix.Calc.Model;
using Calico.Felix.Rules.Merging;

namespace Calico.Felix.Rules;

/// <summary>
/// What one endpoint chain was rendered from and what it produced. The inputs are compared by identity (intents are
/// immutable: the graph replaces them on change): the endpoint, the config, and, in order, the intent of every policy
/// of its tiers in this direction (null when absent) and whether each profile exists.
/// </summary>
internal sealed class EndpointChainEntry(EndpointChainInputs inputs)
{
    public EndpointChainInputs Inputs { get; } = inputs;

    public NftChain? Chain { get; set; }

    public List<MergedSetRecipe> Recipes { get; } = [];

    /// <summary>Policies this chain jumps to (they keep their chains).</summary>
    public List<PolicyKey> Jumped { get; } = [];

    /// <summary>Policies this chain reaches through merged lookups.</summary>
    public List<PolicyKey> Merged { get; } = [];
}

internal sealed class EndpointChainInputs
{
    private EndpointChainInputs(EndpointIntent endpoint, RenderConfig config, bool inbound, string? failsafe, PolicyIntent?[] policies, bool[] profiles)
    {
        Endpoint = endpoint;
        Config = config;
        Inbound = inbound;
        Failsafe = failsafe;
        Policies = policies;
        Profiles = profiles;
    }

    public EndpointIntent Endpoint { get; }

    public RenderConfig Config { get; }

    public bool Inbound { get; }

    public string? Failsafe { get; }

    public PolicyIntent?[] Policies { get; }

    public bool[] Profiles { get; }

    public static EndpointChainInputs Of(RenderContext ctx, EndpointIntent endpoint, bool inbound, string? failsafe)
    {
        var policies = new List<PolicyIntent?>();
        foreach (TierIntent tier in endpoint.Tiers)
        {
            foreach (PolicyKey key in inbound ? tier.IngressPolicies : tier.EgressPolicies)
            {
                policies.Add(ctx.State.Policies.TryGetValue(key, out PolicyIntent? intent) ? intent : null);
            }
        }

        var profiles = new bool[endpoint.ProfileIds.Count];
        for (int i = 0; i < profiles.Length; i++)
        {
            profiles[i] = ctx.State.Profiles.ContainsKey(endpoint.ProfileIds[i]);
        }

        return new EndpointChainInputs(endpoint, ctx.Config, inbound, failsafe, [.. policies], profiles);
    }

    public bool SameAs(EndpointChainInputs other)
    {
        if (!ReferenceEquals(Endpoint, other.Endpoint) || !ReferenceEquals(Config, other.Config) || Inbound != other.Inbound
            || !string.Equals(Failsafe, other.Failsafe, StringComparison.Ordinal) || Policies.Length != other.Policies.Length
            || !Profiles.AsSpan().SequenceEqual(other.Profiles))
        {
            return false;
        }

        for (int i = 0; i < Policies.Length; i++)
        {
            if (!ReferenceEquals(Policies[i], other.Policies[i]))
            {
                return false;
            }
        }

        return true;
    }
}
