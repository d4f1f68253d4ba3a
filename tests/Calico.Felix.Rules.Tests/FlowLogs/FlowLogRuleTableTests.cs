using System.Text;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules.FlowLogs;

namespace Calico.Felix.Rules.Tests.FlowLogs;

[Trait("Tier", "Unit")]
public sealed class FlowLogRuleTableTests
{
    [Fact]
    public void Build_EveryPrefixTheRendererEmits_DecodesToItsVerdictAndGroup()
    {
        DataplaneState state = GoldenCases.FlowLogs();
        NftTable table = NftablesRenderer.Build(state, new RenderConfig { FlowLogs = true }, NatInputs.None);
        FlowLogRuleTable rules = FlowLogRuleTable.Build(state);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (NftChain chain in table.Chains)
        {
            foreach (NftRule rule in chain.Rules)
            {
                foreach (NftLog log in rule.Statements.OfType<NftLog>().Where(static l => l.Group is not null))
                {
                    Assert.True(rules.TryGet(log.Prefix!, out FlowLogRule? decoded), $"{log.Prefix} of chain {chain.Name} is not in the table");
                    Assert.Equal(FlowLogPrefix.Group(decoded.Direction), log.Group);
                    Assert.True(log.Prefix!.Length <= FlowLogPrefix.MaxLength);
                    FlowLogAction verdict = rule.Statements[^1] switch
                    {
                        NftVerdict { Kind: NftVerdictKind.Drop } => FlowLogAction.Deny,
                        NftVerdict { Kind: NftVerdictKind.Return } when rule.Statements.OfType<NftMarkSet>().Any(static m => m.Value == 0x20000) => FlowLogAction.Pass,
                        NftVerdict { Kind: NftVerdictKind.Return } => FlowLogAction.Allow,
                        _ => FlowLogAction.Pass, // the end-of-tier pass: a log, then on to the next tier
                    };
                    Assert.Equal(verdict, decoded.Action);
                    seen.Add(log.Prefix!);
                }
            }
        }

        // Every kind the state holds: GNP rules, NP rules, the Kubernetes policy, profile rules, both tier ends, no profile.
        Assert.Contains(seen, p => rules.Entries[p] is { Kind: FlowLogRuleKind.KubernetesNetworkPolicy, Name: "db-ingress", Namespace: "prod", RuleIndex: 0 });
        Assert.Contains(seen, p => rules.Entries[p] is { Kind: FlowLogRuleKind.CalicoNetworkPolicy, Name: "web", Tier: "default", RuleIndex: 3, Action: FlowLogAction.Deny });
        Assert.Contains(seen, p => rules.Entries[p] is { Kind: FlowLogRuleKind.GlobalNetworkPolicy, Name: "allow-dns", Tier: "admin", RuleIndex: 3, Action: FlowLogAction.Pass, Direction: FlowLogDirection.Egress });
        Assert.Contains(seen, p => rules.Entries[p] is { Kind: FlowLogRuleKind.Profile, Name: "kns.prod", RuleIndex: 0 });
        Assert.Contains(seen, p => rules.Entries[p] is { Kind: FlowLogRuleKind.EndOfTier, Tier: "admin", Action: FlowLogAction.Pass, RuleIndex: -1 });
        Assert.Contains(seen, p => rules.Entries[p] is { Kind: FlowLogRuleKind.EndOfTier, Tier: "default", Action: FlowLogAction.Deny, Direction: FlowLogDirection.Ingress });
        Assert.Contains(seen, p => rules.Entries[p] is { Kind: FlowLogRuleKind.Profile, Name: "", Action: FlowLogAction.Deny, Direction: FlowLogDirection.Egress });
    }

    [Fact]
    public void Build_FlowLogsOff_NoRuleLogsToAGroup()
    {
        NftTable table = NftablesRenderer.Build(GoldenCases.FlowLogs(), new RenderConfig(), NatInputs.None);

        Assert.DoesNotContain(table.Chains.SelectMany(static c => c.Rules).SelectMany(static r => r.Statements), static s => s is NftLog { Group: not null });
    }

    [Fact]
    public void Prefix_LongNamesAndNamespace_StayShortAndDecode()
    {
        string longName = new('n', 253);
        string longNs = new('s', 63);
        var key = new PolicyKey(new string('t', 63), "NetworkPolicy", longNs, longName);
        var state = new DataplaneState();
        state.Apply(new ActivePolicyUpdate(key, new PolicyIntent([new RuleModel { Action = RuleAction.Allow, Index = 12345 }], [new RuleModel { Action = RuleAction.Deny }])));
        var other = key with { Name = longName[..^1] + "m" };
        state.Apply(new ActivePolicyUpdate(other, new PolicyIntent([new RuleModel { Action = RuleAction.Allow, Index = 12345 }], [])));
        FlowLogRuleTable rules = FlowLogRuleTable.Build(state);

        string prefix = FlowLogPrefix.ForPolicyRule(FlowLogPrefix.PolicyId(key), FlowLogDirection.Ingress, 12345, FlowLogAction.Allow);
        string otherPrefix = FlowLogPrefix.ForPolicyRule(FlowLogPrefix.PolicyId(other), FlowLogDirection.Ingress, 12345, FlowLogAction.Allow);

        Assert.True(prefix.Length <= 32, prefix);
        Assert.NotEqual(prefix, otherPrefix);
        Assert.True(rules.TryGet(prefix, out FlowLogRule? rule));
        Assert.Equal(new FlowLogRule(FlowLogRuleKind.CalicoNetworkPolicy, key.Tier, longName, longNs, FlowLogDirection.Ingress, 12345, FlowLogAction.Allow), rule);
        Assert.True(rules.TryGet(FlowLogPrefix.ForPolicyRule(FlowLogPrefix.PolicyId(key), FlowLogDirection.Egress, 0, FlowLogAction.Deny), out FlowLogRule? egress));
        Assert.Equal(FlowLogAction.Deny, egress.Action);
        Assert.Equal(FlowLogDirection.Egress, egress.Direction);
    }

    [Fact]
    public void TryGet_BytesAsNflogDeliversThem_ZeroTerminatedOrNot()
    {
        FlowLogRuleTable rules = FlowLogRuleTable.Build(GoldenCases.FlowLogs());
        string prefix = FlowLogPrefix.ForEndOfTier("default", FlowLogDirection.Ingress, FlowLogAction.Deny);

        Assert.True(rules.TryGet(Encoding.ASCII.GetBytes(prefix + "\0\0"), out FlowLogRule? a));
        Assert.True(rules.TryGet(Encoding.ASCII.GetBytes(prefix), out FlowLogRule? b));
        Assert.Equal(a, b);
        Assert.Equal(FlowLogRuleKind.EndOfTier, a.Kind);
        Assert.False(rules.TryGet("APIX|nothing"u8, out _));
        Assert.False(rules.TryGet(new byte[300], out _));
        Assert.True(FlowLogRuleTable.Empty.TryGet("DRI", out FlowLogRule? none));
        Assert.Equal(new FlowLogRule(FlowLogRuleKind.Profile, "", "", null, FlowLogDirection.Ingress, -1, FlowLogAction.Deny), none);
    }

    [Fact]
    public void Prefix_IdentitiesThatConcatenateAlike_GetDifferentIds()
    {
        Assert.NotEqual(
            FlowLogPrefix.PolicyId(new PolicyKey("a", "NetworkPolicy", "bc", "d")),
            FlowLogPrefix.PolicyId(new PolicyKey("a", "NetworkPolicy", "b", "cd")));
        Assert.NotEqual(FlowLogPrefix.ProfileId("default"), FlowLogPrefix.TierId("default"));
        Assert.Throws<ArgumentException>(() => FlowLogPrefix.ForEndOfTier("t", FlowLogDirection.Ingress, FlowLogAction.Allow));
    }
}
