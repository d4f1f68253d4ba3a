using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Calico.Api;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules.Merging;

namespace Calico.Felix.Rules;

public static partial class NftablesRenderer
{
    private static readonly int[] Families = [4, 6];
    private static readonly MergedShape[] Shapes = [MergedShape.Address, MergedShape.AddressProtocol, MergedShape.AddressProtocolPort];

    /// <summary>
    /// One tier's policies for one direction with <see cref="RenderConfig.MergeRuleRuns"/>: each maximal run of
    /// consecutive simple rules with one verdict (across policy boundaries) becomes one set lookup per family and
    /// shape; a policy with any other rule keeps its chain and is jumped to as without merging. Order inside a run
    /// does not matter (the first match decides and every match decides the same), so the run is a union.
    /// </summary>
    private static void AppendMergedTier(List<NftRule> rules, RenderContext ctx, IReadOnlyList<PolicyKey> policies, bool inbound)
    {
        MergeContext merge = ctx.Merge!;
        var run = new List<SimpleRule>();
        bool mayPass = false;
        foreach (PolicyKey key in policies)
        {
            if (!ctx.State.Policies.TryGetValue(key, out PolicyIntent? policy))
            {
                continue;
            }

            List<SimpleRule>? simple = SimpleRulesOf(ctx, policy, inbound);
            if (simple is null)
            {
                AppendRunLookups(rules, ctx, run, inbound, mayPass);
                run.Clear();
                AppendPolicyJump(rules, ctx, key, inbound);
                merge.JumpedPolicies.Add(key);
                ctx.EndpointCapture?.Jumped.Add(key);
                mayPass |= HasPassRule(inbound ? policy.InboundRules : policy.OutboundRules);
                continue;
            }

            merge.MergedPolicies.Add(key);
            ctx.EndpointCapture?.Merged.Add(key);
            foreach (SimpleRule rule in simple)
            {
                if (run.Count > 0 && run[0].Action != rule.Action)
                {
                    AppendRunLookups(rules, ctx, run, inbound, mayPass);
                    run.Clear();
                }

                run.Add(rule);
            }
        }

        AppendRunLookups(rules, ctx, run, inbound, mayPass);
    }

    private static void AppendPolicyJump(List<NftRule> rules, RenderContext ctx, PolicyKey key, bool inbound)
    {
        string chain = NftNames.PolicyChain(key, inbound);
        ref NftRule? jump = ref SharedRule(ctx, "policy jump " + chain);
        jump ??= Rule(ctx.PassIsClear, Counter, NftVerdict.Jump(chain));
        rules.Add(jump);
        ref NftRule? accepted = ref SharedRule(ctx, "policy accepted");
        accepted ??= Commented("Return if policy accepted", ctx.AcceptIsSet, Counter, NftVerdict.Return);
        rules.Add(accepted);
    }

    private static bool HasPassRule(IReadOnlyList<RuleModel> rules)
    {
        foreach (RuleModel rule in rules)
        {
            if (rule.Action == RuleAction.Pass)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The policy's rules in simple form for the direction, or null when one of them is not simple. Validates every rule.</summary>
    private static List<SimpleRule>? SimpleRulesOf(RenderContext ctx, PolicyIntent policy, bool inbound)
    {
        MergeContext merge = ctx.Merge!;
        if (!merge.SimpleRules.TryGetValue(policy, out var both))
        {
            both = (Simplify(ctx, policy.InboundRules, inbound: true), Simplify(ctx, policy.OutboundRules, inbound: false));
            merge.SimpleRules[policy] = both;
        }

        return inbound ? both.In : both.Out;
    }

    private static List<SimpleRule>? Simplify(RenderContext ctx, IReadOnlyList<RuleModel> rules, bool inbound)
    {
        var result = new List<SimpleRule>(rules.Count);
        foreach (RuleModel rule in rules)
        {
            RuleModelChecks.Validate(rule);
            SimpleRule? simple = SimpleRule.TryCreate(rule, inbound);
            if (simple is null)
            {
                return null;
            }

            if (simple.IpSetId is not null)
            {
                SetRef(ctx, simple.IpSetId, IpSetType.Net, 4);
            }

            if (simple.Nets is not null)
            {
                foreach (string net in simple.Nets)
                {
                    Cidr.Normalize(net);
                }
            }

            result.Add(simple);
        }

        return result;
    }

    /// <summary>One lookup per family and shape the run has rules for; the set is shared by every chain with the same run.</summary>
    private static void AppendRunLookups(List<NftRule> rules, RenderContext ctx, List<SimpleRule> run, bool inbound, bool mayPass)
    {
        if (run.Count == 0)
        {
            return;
        }

        foreach (int family in Families)
        {
            foreach (MergedShape shape in Shapes)
            {
                string? set = MergedSet(ctx, run, family, shape);
                if (set is null)
                {
                    continue;
                }

                var statements = new List<NftStatement>(5);
                if (mayPass)
                {
                    // An earlier policy of this tier may have passed the packet: the rest of the tier must not see it.
                    statements.Add(MarkIs(ctx.Pass, 0));
                }

                NftField address = NftFields.Address(family, source: inbound);
                ImmutableArray<NftField> key = shape switch
                {
                    MergedShape.Address => [address],
                    MergedShape.AddressProtocol => [address, NftField.MetaL4proto],
                    _ => [address, NftField.MetaL4proto, NftField.ThDport],
                };
                statements.Add(new NftMatch(key, new NftSetReference(set)));
                statements.Add(Counter);
                AppendAction(statements, ctx, run[0].Action);
                rules.Add(Rule(statements));
            }
        }
    }

    /// <summary>
    /// The merged set for the run's rules of one family and shape (null when none applies). Named by a hash of its
    /// definition (the rules, not the members), so a membership change is an element delta on an unchanged name;
    /// elements come from the cache while the IP sets they expand are at the same version.
    /// </summary>
    private static string? MergedSet(RenderContext ctx, List<SimpleRule> run, int family, MergedShape shape)
    {
        var descriptors = new SortedSet<string>(StringComparer.Ordinal);
        var contributing = new List<(SimpleRule Rule, List<string>? Nets)>();
        var ipSetIds = new SortedSet<string>(StringComparer.Ordinal);
        foreach (SimpleRule rule in run)
        {
            if (rule.Shape != shape || !rule.AppliesTo(family))
            {
                continue;
            }

            List<string>? nets = null;
            string address;
            if (rule.Nets is not null)
            {
                SortedSet<string>? ofFamily = NetsOfFamily(rule.Nets, family);
                if (ofFamily is null || ofFamily.Count == 0)
                {
                    continue;
                }

                nets = [.. ofFamily];
                address = "n:" + string.Join(',', nets);
            }
            else if (rule.IpSetId is not null)
            {
                address = "s:" + rule.IpSetId;
                ipSetIds.Add(rule.IpSetId);
            }
            else
            {
                address = "any";
            }

            var d = new StringBuilder(address.Length + 32);
            d.Append(address).Append('|').Append(rule.Protocol?.ToString(CultureInfo.InvariantCulture)).Append('|');
            foreach (PortRange p in rule.Ports)
            {
                d.Append(p.ToString()).Append(',');
            }

            descriptors.Add(d.ToString());
            contributing.Add((rule, nets));
        }

        if (contributing.Count == 0)
        {
            return null;
        }

        string definition = family.ToString(CultureInfo.InvariantCulture) + "/" + ((int)shape).ToString(CultureInfo.InvariantCulture) + "\n" + string.Join('\n', descriptors);
        var recipe = new MergedSetRecipe(
            NftNames.MergedSet(family, definition), family, shape, "merged rules " + descriptors.Count.ToString(CultureInfo.InvariantCulture), contributing, [.. ipSetIds]);
        ctx.EndpointCapture?.Recipes.Add(recipe);
        EnsureMergedSet(ctx, recipe);
        return recipe.Name;
    }

    /// <summary>
    /// Puts the recipe's set into this build: already there (another endpoint shares it), from the cache while the IP
    /// sets it expands keep their versions, else built from the members.
    /// </summary>
    private static void EnsureMergedSet(RenderContext ctx, MergedSetRecipe recipe)
    {
        MergeContext merge = ctx.Merge!;
        if (merge.Sets.ContainsKey(recipe.Name))
        {
            return;
        }

        long[] versions = new long[recipe.IpSetIds.Length];
        for (int i = 0; i < versions.Length; i++)
        {
            versions[i] = ctx.State.IpSetVersion(recipe.IpSetIds[i]);
        }

        if (ctx.Cache is { } cache && cache.MergedSets.TryGetValue(recipe.Name, out var hit) && hit.Versions.AsSpan().SequenceEqual(versions) && !Array.Exists(versions, static v => v == 0))
        {
            merge.Sets[recipe.Name] = hit.Set;
            return;
        }

        int family = recipe.Family;
        var parts = new List<(IReadOnlyCollection<string> Addresses, int? Protocol, IReadOnlyList<PortRange> Ports)>(recipe.Contributing.Count);
        foreach (var (rule, nets) in recipe.Contributing)
        {
            IReadOnlyCollection<string> addresses = nets
                ?? (rule.IpSetId is not null ? MembersOf(ctx, rule.IpSetId, family) : [family == 6 ? "::/0" : "0.0.0.0/0"]);
            parts.Add((addresses, rule.Protocol, rule.Ports));
        }

        NftDataType addr = family == 6 ? NftDataType.Ipv6Addr : NftDataType.Ipv4Addr;
        ImmutableArray<NftDataType> type = recipe.Shape switch
        {
            MergedShape.Address => [addr],
            MergedShape.AddressProtocol => [addr, NftDataType.InetProto],
            _ => [addr, NftDataType.InetProto, NftDataType.InetService],
        };
        var set = new NftSet(recipe.Name, new NftSetType(type, interval: true), recipe.Note, MergedSetElements.Build(recipe.Shape, parts));
        merge.Sets[recipe.Name] = set;
        if (ctx.Cache is { } c)
        {
            c.MergedSets[recipe.Name] = (versions, set);
        }
    }

    private static List<string> MembersOf(RenderContext ctx, string id, int family)
    {
        MergeContext merge = ctx.Merge!;
        if (!merge.Members.TryGetValue((id, family), out List<string>? members))
        {
            members = [];
            foreach (string member in ctx.State.IpSets[id].Members)
            {
                var (f, text) = Cidr.Normalize(member);
                if (f == family)
                {
                    members.Add(text);
                }
            }

            merge.Members[(id, family)] = members;
        }

        return members;
    }
}
