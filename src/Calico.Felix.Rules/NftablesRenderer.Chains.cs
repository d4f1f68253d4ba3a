using System.Text;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules;

public static partial class NftablesRenderer
{
    /// <summary>Runs before the default filter (priority 0) so our verdicts come first; our accept does not skip it.</summary>
    private const string BasePriority = "filter - 5";

    private static void AppendBaseChains(StringBuilder sb, RenderContext ctx)
    {
        string wl = ctx.WorkloadWildcard;

        OpenChain(sb, "filter-FORWARD");
        sb.Append("\t\ttype filter hook forward priority ").Append(BasePriority).Append("; policy accept;\n");
        Rule(sb).Append("ct state established,related counter accept\n");
        Rule(sb).Append("iifname ").Append(wl).Append(" ct state invalid counter drop\n");
        Rule(sb).Append("oifname ").Append(wl).Append(" ct state invalid counter drop\n");
        Rule(sb).Append("counter meta mark set meta mark & ").Append(ctx.ClearAcceptAndPass).Append('\n');
        Rule(sb).Append("iifname ").Append(wl).Append(" counter jump ").Append(NftNames.FromWorkloadDispatch).Append('\n');
        Rule(sb).Append("oifname ").Append(wl).Append(" counter jump ").Append(NftNames.ToWorkloadDispatch).Append('\n');
        Rule(sb).Append("meta mark & ").Append(ctx.Accept).Append(" == ").Append(ctx.Accept).Append(" counter accept");
        Comment(sb, "Policy explicitly accepted packet.");
        sb.Append('\n');
        CloseChain(sb);

        OpenChain(sb, "filter-INPUT");
        sb.Append("\t\ttype filter hook input priority ").Append(BasePriority).Append("; policy accept;\n");
        Rule(sb).Append("ct state established,related counter accept\n");
        Rule(sb).Append("iifname ").Append(wl).Append(" ct state invalid counter drop\n");
        Rule(sb).Append("iifname ").Append(wl).Append(" counter goto ").Append(NftNames.WorkloadToHost).Append('\n');
        CloseChain(sb);

        OpenChain(sb, "filter-OUTPUT");
        sb.Append("\t\ttype filter hook output priority ").Append(BasePriority).Append("; policy accept;\n");
        Rule(sb).Append("ct state established,related counter accept\n");
        Rule(sb).Append("oifname ").Append(wl).Append(" counter accept");
        Comment(sb, "Host to workload traffic is not subject to workload policy");
        sb.Append('\n');
        CloseChain(sb);

        OpenChain(sb, NftNames.WorkloadToHost);
        Rule(sb).Append("meta nfproto ipv6 icmpv6 type { 130, 131, 132, 133, 135, 136 } counter accept");
        Comment(sb, "Allow IPv6 neighbour discovery and MLD to the host");
        sb.Append('\n');
        Rule(sb).Append("counter jump ").Append(NftNames.FromWorkloadDispatch).Append('\n');
        Rule(sb).Append("counter ").Append(ctx.Config.DefaultEndpointToHostAction switch
        {
            EndpointToHostAction.Accept => "accept",
            EndpointToHostAction.Return => "return",
            _ => "drop",
        });
        Comment(sb, "Configured DefaultEndpointToHostAction");
        sb.Append('\n');
        CloseChain(sb);
    }

    private static void AppendDispatchChains(StringBuilder sb)
    {
        OpenChain(sb, NftNames.FromWorkloadDispatch);
        Rule(sb).Append("iifname vmap @").Append(NftNames.FromWorkloadDispatch).Append('\n');
        Rule(sb).Append("counter drop");
        Comment(sb, "Unknown interface");
        sb.Append('\n');
        CloseChain(sb);

        OpenChain(sb, NftNames.ToWorkloadDispatch);
        Rule(sb).Append("oifname vmap @").Append(NftNames.ToWorkloadDispatch).Append('\n');
        Rule(sb).Append("counter drop");
        Comment(sb, "Unknown interface");
        sb.Append('\n');
        CloseChain(sb);
    }

    /// <summary>
    /// One endpoint, one direction (inbound = to the workload = ingress policy). Tiers with no policy for the
    /// direction are skipped; a policy or profile the state lacks is skipped (it can allow nothing).
    /// </summary>
    private static void AppendEndpointChain(StringBuilder sb, RenderContext ctx, string chain, EndpointIntent endpoint, bool inbound)
    {
        OpenChain(sb, chain, (inbound ? "to endpoint " : "from endpoint ") + endpoint.Key.ToString());
        Rule(sb).Append("counter meta mark set meta mark & ").Append(ctx.ClearAcceptAndPass).Append('\n');
        foreach (TierIntent tier in endpoint.Tiers)
        {
            IReadOnlyList<PolicyKey> policies = inbound ? tier.IngressPolicies : tier.EgressPolicies;
            if (policies.Count == 0)
            {
                continue;
            }

            Rule(sb).Append("counter meta mark set meta mark & ").Append(ctx.ClearPass);
            Comment(sb, "Start of tier " + tier.Name);
            sb.Append('\n');
            foreach (PolicyKey key in policies)
            {
                if (!ctx.State.Policies.ContainsKey(key))
                {
                    continue;
                }

                Rule(sb).Append("meta mark & ").Append(ctx.Pass).Append(" == ").Append(ctx.Zero)
                    .Append(" counter jump ").Append(NftNames.PolicyChain(key, inbound)).Append('\n');
                Rule(sb).Append("meta mark & ").Append(ctx.Accept).Append(" == ").Append(ctx.Accept).Append(" counter return");
                Comment(sb, "Return if policy accepted");
                sb.Append('\n');
            }

            if (tier.DefaultAction != RuleAction.Pass)
            {
                Rule(sb).Append("meta mark & ").Append(ctx.Pass).Append(" == ").Append(ctx.Zero).Append(" counter drop");
                Comment(sb, "End of tier " + tier.Name + ". Drop if no policies passed packet");
                sb.Append('\n');
            }
        }

        foreach (string profileId in endpoint.ProfileIds)
        {
            if (!ctx.State.Profiles.ContainsKey(profileId))
            {
                continue;
            }

            Rule(sb).Append("counter jump ").Append(NftNames.ProfileChain(profileId, inbound)).Append('\n');
            Rule(sb).Append("meta mark & ").Append(ctx.Accept).Append(" == ").Append(ctx.Accept).Append(" counter return");
            Comment(sb, "Return if profile accepted");
            sb.Append('\n');
        }

        Rule(sb).Append("counter drop");
        Comment(sb, "Drop if no profiles matched");
        sb.Append('\n');
        CloseChain(sb);
    }

    private static void AppendPolicyChains(StringBuilder sb, RenderContext ctx)
    {
        var chains = new List<(string Chain, string Note, IReadOnlyList<RuleModel> Rules)>(ctx.State.Policies.Count * 2);
        foreach (var (key, policy) in ctx.State.Policies)
        {
            string id = key.Kind + " " + key.ToString();
            chains.Add((NftNames.PolicyChain(key, inbound: true), "policy " + id + " ingress", policy.InboundRules));
            chains.Add((NftNames.PolicyChain(key, inbound: false), "policy " + id + " egress", policy.OutboundRules));
        }

        AppendRuleChains(sb, ctx, chains);
    }

    private static void AppendProfileChains(StringBuilder sb, RenderContext ctx)
    {
        var chains = new List<(string Chain, string Note, IReadOnlyList<RuleModel> Rules)>(ctx.State.Profiles.Count * 2);
        foreach (var (id, profile) in ctx.State.Profiles)
        {
            chains.Add((NftNames.ProfileChain(id, inbound: true), "profile " + id + " inbound", profile.InboundRules));
            chains.Add((NftNames.ProfileChain(id, inbound: false), "profile " + id + " outbound", profile.OutboundRules));
        }

        AppendRuleChains(sb, ctx, chains);
    }

    private static void AppendRuleChains(StringBuilder sb, RenderContext ctx, List<(string Chain, string Note, IReadOnlyList<RuleModel> Rules)> chains)
    {
        chains.Sort(static (a, b) => string.CompareOrdinal(a.Chain, b.Chain));
        foreach (var (chain, note, rules) in chains)
        {
            OpenChain(sb, chain, note);
            foreach (RuleModel rule in rules)
            {
                AppendRule(sb, ctx, rule);
            }

            CloseChain(sb);
        }
    }
}
