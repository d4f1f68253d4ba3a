using System.Text;
using Calico.Felix.Calc.Model;
using static Calico.Felix.Bpf.Tests.States;

namespace Calico.Felix.Bpf.Tests;

/// <summary>
/// The cached (incremental) compilation against a from-scratch one: after every change of a random sequence (policies
/// replaced, one rule's action toggled, a rule inserted or removed, IP set members changed, endpoints' tiers or profiles changed, policies staged,
/// removed and back), the same plan, ids included; and a one-policy change compiles that policy alone.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class BpfCompileCacheTests
{
    private static readonly string[] MemberPool = ["10.1.0.0/16", "10.1.2.3", "10.1.9.7", "172.16.0.0/12", "192.168.4.4", "fd00:1::/64", "fd00:1::7", "10.0.0.0/8"];

    [Theory]
    [InlineData(1, false, false)]
    [InlineData(2, true, false)]
    [InlineData(3, false, true)]
    [InlineData(4, true, true)]
    [InlineData(5, true, true)]
    [InlineData(6, true, false, 4)]
    [InlineData(7, true, true, 4)]
    [InlineData(8, false, true, 8)]
    [InlineData(9, true, true, 8)]
    public void RandomChanges_CachedCompile_EqualsCompileFromScratch(int seed, bool simple, bool retain, int chunkLength = 0)
    {
        // A short chunk length cuts the small worlds' runs into chunks (the default keeps runs of up to 8 rules whole).
        var options = new BpfCompileOptions { RunChunkLength = chunkLength };
        var random = new Random(seed);
        var world = new RandomWorld(random, simple);
        var cachedTables = new BpfIdAllocator();
        var cachedSets = new BpfIdAllocator();
        var cache = new BpfCompileCache();
        var freshTables = new BpfIdAllocator();
        var freshSets = new BpfIdAllocator();
        int reused = 0, fromChanges = 0, patched = 0, chunksKept = 0;
        for (int step = 0; step < 150; step++)
        {
            if (step > 0)
            {
                world.Change();
            }

            BpfPolicyPlan cached = BpfPolicyCompiler.Compile(world.State, options, cachedTables, cachedSets, cache);
            BpfPolicyPlan fresh = BpfPolicyCompiler.Compile(world.State, options, freshTables, freshSets);
            Assert.Equal(Describe(fresh), Describe(cached));
            reused += cache.LastCompile.FragmentsReused;
            fromChanges += cache.LastCompile.TablesFromChanges;
            patched += cache.LastCompile.TablesPatched;
            chunksKept += cache.LastCompile.ChunksKept;
            if (retain)
            {
                Retain(cached, cachedTables, cachedSets);
                Retain(fresh, freshTables, freshSets);
            }
        }

        Assert.True(reused > 150, $"only {reused} fragments reused over 150 steps: the cache is not exercised");

        // Without retaining (no id forgotten), tables take their fragments from the state's journal, and toggles
        // patch the linear rules; with short chunks, merges keep the chunks away from the change.
        Assert.True(retain || fromChanges > 150, $"only {fromChanges} tables from the journal over 150 steps");
        Assert.True(retain || patched > 0, $"only {patched} tables patched over 150 steps");
        Assert.True(!simple || chunkLength == 0 || chunksKept > 20, $"only {chunksKept} chunks kept over 150 steps");
    }

    [Fact]
    public void OneRuleToggled_AmongManyPolicies_CompilesThatPolicyAlone()
    {
        var s = new States().WithIpSet("s:a", "10.1.0.0/16");
        var keys = new List<PolicyKey>();
        for (int i = 0; i < 40; i++)
        {
            var key = Policy("p" + i);
            s.WithPolicy(key, ingress: [Allow(i), new RuleModel { Action = RuleAction.Allow, Protocol = 6, SrcIpSetIds = ["s:a"], DstPorts = [new PortRange(9000, 9000)] }]);
            keys.Add(key);
        }

        s.WithProfile("kns.a", inbound: [new RuleModel { Action = RuleAction.Allow }], outbound: [new RuleModel { Action = RuleAction.Allow }])
            .WithEndpoint("server", "cali1", [Tier("default", RuleAction.Deny, ingress: keys)], "kns.a");
        var cache = new BpfCompileCache();
        var tables = new BpfIdAllocator();
        var sets = new BpfIdAllocator();
        var freshTables = new BpfIdAllocator();
        var freshSets = new BpfIdAllocator();
        BpfPolicyPlan first = BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions(), tables, sets, cache);
        BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions(), freshTables, freshSets);
        Assert.Equal(new BpfCompileCacheStats(FragmentsCompiled: 42, FragmentsReused: 0, TablesBuilt: 2, TablesReused: 0, RunsBuilt: 1, RunsReused: 0), cache.LastCompile);

        PolicyIntent p7 = s.State.Policies[keys[7]];
        s.State.Apply(new ActivePolicyUpdate(keys[7], p7 with { InboundRules = [p7.InboundRules[0] with { Action = RuleAction.Deny }, p7.InboundRules[1]] }));
        BpfPolicyPlan changed = BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions(), tables, sets, cache);

        // p7's ingress fragment alone; the ingress table merged again (the run split around the Deny: two new runs), the
        // egress one kept.
        // Found from the state's journal (p7's place alone looked up, in both tables), its rules patched into the linear
        // table (the same length), the merge's chunks around the change only.
        Assert.Equal(new BpfCompileCacheStats(FragmentsCompiled: 1, FragmentsReused: 41, TablesBuilt: 1, TablesReused: 1, RunsBuilt: 2, RunsReused: 0) { TablesFromChanges = 2, TablesPatched = 1 }, cache.LastCompile);
        Assert.NotEqual(first.Endpoints["cali1"].IngressTable, changed.Endpoints["cali1"].IngressTable);
        Assert.Equal(first.Endpoints["cali1"].EgressTable, changed.Endpoints["cali1"].EgressTable);
        Assert.Equal(Describe(BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions(), freshTables, freshSets)), Describe(changed));

        // Nothing changed: nothing compiled or merged, the very same plan.
        BpfPolicyPlan again = BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions(), tables, sets, cache);
        Assert.Equal(new BpfCompileCacheStats(FragmentsCompiled: 0, FragmentsReused: 42, TablesBuilt: 0, TablesReused: 2, RunsBuilt: 0, RunsReused: 0) { TablesFromChanges = 2 }, cache.LastCompile);
        Assert.Equal(Describe(changed), Describe(again));
    }

    [Fact]
    public void ChangesTheJournalNoLongerHolds_OrAnotherStateObject_WalkEveryPlace_AndGiveTheSamePlan()
    {
        var s = new States().WithIpSet("s:a", "10.1.0.0/16");
        var keys = new List<PolicyKey>();
        for (int i = 0; i < 20; i++)
        {
            var key = Policy("p" + i);
            s.WithPolicy(key, ingress: [Allow(i)]);
            keys.Add(key);
        }

        s.WithEndpoint("server", "cali1", [Tier("default", RuleAction.Deny, ingress: keys)]);
        var cache = new BpfCompileCache();
        var tables = new BpfIdAllocator();
        var sets = new BpfIdAllocator();
        var freshTables = new BpfIdAllocator();
        var freshSets = new BpfIdAllocator();
        BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions(), tables, sets, cache);
        BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions(), freshTables, freshSets);

        // More changes than the journal keeps (p3 toggled back and forth, then once more): every place looked up.
        PolicyIntent p3 = s.State.Policies[keys[3]];
        for (int i = 0; i <= 2 * DataplaneState.JournalLength; i++)
        {
            s.State.Apply(new ActivePolicyUpdate(keys[3], p3 with { InboundRules = [p3.InboundRules[0] with { Action = i % 2 == 0 ? RuleAction.Deny : RuleAction.Allow }] }));
        }

        BpfPolicyPlan walked = BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions(), tables, sets, cache);
        Assert.Equal(0, cache.LastCompile.TablesFromChanges);
        Assert.Equal(1, cache.LastCompile.FragmentsCompiled);
        Assert.Equal(Describe(BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions(), freshTables, freshSets)), Describe(walked));

        // Another state object with the same intents (a copy): its journal is not the cache's, so every place is looked up.
        var copy = new DataplaneState();
        foreach (var (id, set) in s.State.IpSets)
        {
            copy.Apply(new IpSetUpdate(id, set.Type, [.. set.Members]));
        }

        foreach (var (key, policy) in s.State.Policies)
        {
            copy.Apply(new ActivePolicyUpdate(key, policy));
        }

        foreach (EndpointIntent endpoint in s.State.Endpoints.Values)
        {
            copy.Apply(new EndpointUpdate(endpoint));
        }

        BpfPolicyPlan fromCopy = BpfPolicyCompiler.Compile(copy, new BpfCompileOptions(), tables, sets, cache);
        Assert.Equal(0, cache.LastCompile.TablesFromChanges);
        Assert.Equal(0, cache.LastCompile.FragmentsCompiled);
        Assert.Equal(Describe(walked), Describe(fromCopy));

        // Then the copy's own changes come from its journal.
        copy.Apply(new ActivePolicyUpdate(keys[5], copy.Policies[keys[5]] with { InboundRules = [Allow(99)] }));
        BpfPolicyPlan changed = BpfPolicyCompiler.Compile(copy, new BpfCompileOptions(), tables, sets, cache);
        Assert.Equal(2, cache.LastCompile.TablesFromChanges);
        Assert.Equal(1, cache.LastCompile.FragmentsCompiled);
        Assert.NotEqual(fromCopy.Endpoints["cali1"].IngressTable, changed.Endpoints["cali1"].IngressTable);
        Assert.Equal(Describe(BpfPolicyCompiler.Compile(copy, new BpfCompileOptions(), freshTables, freshSets)), Describe(changed));
    }

    [Fact]
    public void ARunWhoseDefinitionComesBack_IsTakenFromTheCache_NotBuiltAgain()
    {
        // The first policy's rule repeats later (same set, protocol, port): toggling it to Deny leaves the run after it
        // with the very definition the whole run had, so its entries are the cached ones (the 10,000-policy bench case).
        var s = new States().WithIpSet("s:a", "10.1.0.0/16");
        var keys = new List<PolicyKey>();
        for (int i = 0; i < 6; i++)
        {
            var key = Policy("p" + i);
            s.WithPolicy(key, ingress: [Allow(i % 3)]);
            keys.Add(key);
        }

        s.WithEndpoint("server", "cali1", [Tier("default", RuleAction.Deny, ingress: keys)]);
        var cache = new BpfCompileCache();
        var tables = new BpfIdAllocator();
        var sets = new BpfIdAllocator();
        BpfPolicyPlan first = BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions(), tables, sets, cache);
        PolicyIntent p0 = s.State.Policies[keys[0]];
        s.State.Apply(new ActivePolicyUpdate(keys[0], p0 with { InboundRules = [p0.InboundRules[0] with { Action = RuleAction.Deny }] }));
        BpfPolicyPlan changed = BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions(), tables, sets, cache);

        Assert.Equal(0, cache.LastCompile.RunsBuilt);
        Assert.Equal(1, cache.LastCompile.RunsReused);
        Assert.Equal(first.Runs.Keys, changed.Runs.Keys);
        Assert.NotEqual(first.Endpoints["cali1"].IngressTable, changed.Endpoints["cali1"].IngressTable);
    }

    [Fact]
    public void ANamedPortSetsMembers_AreReadAgainEveryCompilation()
    {
        var p = Policy("p");
        var s = new States()
            .WithPolicy(p, ingress: [new RuleModel { Action = RuleAction.Allow, Protocol = 6, DstNamedPortIpSetIds = ["np:web"] }])
            .WithEndpoint("a", "cali1", [Tier("default", RuleAction.Deny, ingress: [p])]);
        s.State.Apply(new IpSetUpdate("np:web", IpSetType.IpPort, ["10.65.0.2,tcp:80"]));
        var cache = new BpfCompileCache();
        var tables = new BpfIdAllocator();
        var sets = new BpfIdAllocator();
        var freshTables = new BpfIdAllocator();
        var freshSets = new BpfIdAllocator();
        BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions(), tables, sets, cache);
        BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions(), freshTables, freshSets);
        s.State.Apply(new IpSetDeltaUpdate("np:web", ["10.65.0.2,tcp:8080"], []));
        BpfPolicyPlan cached = BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions(), tables, sets, cache);

        Assert.Equal(1, cache.LastCompile.FragmentsCompiled);
        Assert.Equal(Describe(BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions(), freshTables, freshSets)), Describe(cached));
    }

    [Fact]
    public void AMemberChange_OfASetARunReads_MergesAgain_ButCompilesNoPolicy()
    {
        var p = Policy("p");
        var s = new States().WithIpSet("s:a", "10.1.0.0/16")
            .WithPolicy(p, ingress:
            [
                new RuleModel { Action = RuleAction.Allow, Protocol = 6, SrcIpSetIds = ["s:a"], DstPorts = [new PortRange(80, 80)] },
                new RuleModel { Action = RuleAction.Allow, Protocol = 17, SrcNets = ["10.9.0.0/16"] },
            ])
            .WithEndpoint("a", "cali1", [Tier("default", RuleAction.Deny, ingress: [p])]);
        var cache = new BpfCompileCache();
        var tables = new BpfIdAllocator();
        var sets = new BpfIdAllocator();
        BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions(), tables, sets, cache);
        s.State.Apply(new IpSetDeltaUpdate("s:a", ["10.5.5.5"], []));
        BpfPolicyPlan after = BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions(), tables, sets, cache);

        Assert.Equal(0, cache.LastCompile.FragmentsCompiled);
        Assert.Equal(1, cache.LastCompile.TablesBuilt);
        Assert.Contains(after.Runs.Values.Single().Entries, e => e.Prefix.ToString() == "10.5.5.5/32");
    }

    [Fact]
    public void OtherAllocators_StartTheCacheAfresh()
    {
        var p = Policy("p");
        var s = new States().WithPolicy(p, ingress: [Allow(80)]).WithEndpoint("a", "cali1", [Tier("default", RuleAction.Deny, ingress: [p])]);
        var cache = new BpfCompileCache();
        BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions(), new BpfIdAllocator(), new BpfIdAllocator(), cache);
        BpfPolicyPlan other = BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions(), new BpfIdAllocator(), new BpfIdAllocator(), cache);

        Assert.Equal(0, cache.LastCompile.FragmentsReused);
        Assert.Equal(Describe(BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions(), new BpfIdAllocator(), new BpfIdAllocator())), Describe(other));
    }

    private static RuleModel Allow(int port) =>
        new() { Action = RuleAction.Allow, Protocol = 6, SrcNets = ["10.7.0.0/16"], DstPorts = [new PortRange((ushort)(8000 + port), (ushort)(8000 + port))] };

    private static void Retain(BpfPolicyPlan plan, BpfIdAllocator tables, BpfIdAllocator sets)
    {
        tables.RetainOnly(plan.Tables.Values.Select(t => t.ContentKey).ToHashSet(StringComparer.Ordinal));
        sets.RetainOnly(plan.SetContentKeys);
    }

    /// <summary>Everything a plan says, in id order.</summary>
    private static string Describe(BpfPolicyPlan plan)
    {
        var text = new StringBuilder();
        foreach (BpfEndpointEntry e in plan.Endpoints.Values)
        {
            text.Append("ep ").Append(e.InterfaceName).Append(' ').Append(e.Key).Append(' ').Append(e.Flags).Append(' ').Append(e.ToHostAction)
                .Append(' ').Append(e.IngressTable).Append(' ').Append(e.EgressTable).Append('\n');
        }

        foreach (BpfRuleTable t in plan.Tables.Values.OrderBy(t => t.Id))
        {
            text.Append("table ").Append(t.Id).Append(' ').Append(t.ContentKey).Append('\n');
            foreach (FlatRule r in t.Rules)
            {
                text.Append("  ").Append(r.Describe()).Append(' ').Append(Convert.ToHexString(BpfMapLayout.RuleValue(r))).Append('\n');
            }
        }

        foreach (BpfIpSet set in plan.IpSets.Values.OrderBy(s => s.Id))
        {
            text.Append("set ").Append(set.Id).Append(' ').Append(set.ContentKey).Append(' ').Append(set.IpSetId).Append(' ').AppendJoin(',', set.Members).Append('\n');
        }

        foreach (BpfRuleRun run in plan.Runs.Values.OrderBy(r => r.Id))
        {
            text.Append("run ").Append(run.Id).Append(' ').Append(run.ContentKey).Append(' ').AppendJoin(',', run.Entries).Append('\n');
        }

        foreach (BpfPortSet ports in plan.PortSets.Values.OrderBy(p => p.Id))
        {
            text.Append("ports ").Append(ports.Id).Append(' ').Append(ports.ContentKey).Append(' ').AppendJoin(',', ports.Ranges).Append('\n');
        }

        text.AppendJoin('\n', plan.Issues).Append('\n');
        text.AppendJoin(',', plan.SetContentKeys.Order(StringComparer.Ordinal));
        return text.ToString();
    }

    /// <summary>
    /// Three endpoints over a pool of policies in two tiers and two profiles; each change replaces, toggles, stages,
    /// removes or restores one thing (intent objects replaced, as the calculation graph does), or changes set members.
    /// </summary>
    private sealed class RandomWorld
    {
        private readonly Random _random;
        private readonly bool _simple;
        private readonly States _s = new();
        private readonly List<PolicyKey> _policies = [];
        private readonly Dictionary<PolicyKey, PolicyIntent> _removed = [];

        public RandomWorld(Random random, bool simple)
        {
            _random = random;
            _simple = simple;
            _s.WithIpSet("s:a", "10.1.0.0/16", "192.168.4.4").WithIpSet("s:b", "10.1.2.3", "172.16.0.0/12", "fd00:1::/64").WithIpSet("s:c", "10.0.0.0/8");
            for (int i = 0; i < 8; i++)
            {
                var key = Policy("p" + i, i < 5 ? "t0" : "t1");
                _s.WithPolicy(key, ingress: Rules(true), egress: Rules(false));
                _policies.Add(key);
            }

            _s.WithProfile("prof1", inbound: Rules(true), outbound: Rules(false)).WithProfile("prof2", inbound: Rules(true), outbound: Rules(false));
            for (int e = 1; e <= 3; e++)
            {
                ChangeEndpoint(e);
            }
        }

        public DataplaneState State => _s.State;

        public void Change()
        {
            PolicyKey key = _policies[_random.Next(_policies.Count)];
            switch (_random.Next(11))
            {
                case 0:
                    if (State.Policies.ContainsKey(key))
                    {
                        _s.WithPolicy(key, ingress: Rules(true), egress: Rules(false));
                    }

                    break;
                case 1 or 2:
                    if (State.Policies.TryGetValue(key, out PolicyIntent? policy) && policy.InboundRules.Count > 0)
                    {
                        int i = _random.Next(policy.InboundRules.Count);
                        RuleModel rule = policy.InboundRules[i];
                        RuleAction action = rule.Action == RuleAction.Allow ? RuleAction.Deny : RuleAction.Allow;
                        State.Apply(new ActivePolicyUpdate(key, policy with { InboundRules = [.. policy.InboundRules.Select((r, k) => k == i ? r with { Action = action } : r)] }));
                    }

                    break;
                case 3:
                    string set = EngineAgreementTests.SetIds[_random.Next(EngineAgreementTests.SetIds.Length)];
                    string member = MemberPool[_random.Next(MemberPool.Length)];
                    State.Apply(State.IpSets[set].Members.Contains(member) ? new IpSetDeltaUpdate(set, [], [member]) : new IpSetDeltaUpdate(set, [member], []));
                    break;
                case 4:
                    ChangeEndpoint(_random.Next(1, 4));
                    break;
                case 5:
                    if (State.Policies.TryGetValue(key, out PolicyIntent? gone))
                    {
                        State.Apply(new ActivePolicyRemove(key));
                        _removed[key] = gone;
                    }
                    else if (_removed.Remove(key, out PolicyIntent? back))
                    {
                        State.Apply(new ActivePolicyUpdate(key, back)); // the very object it was: cached by reference
                    }

                    break;
                case 6:
                    if (State.Policies.TryGetValue(key, out PolicyIntent? toStage))
                    {
                        State.Apply(new ActivePolicyUpdate(key, toStage with { Staged = toStage.Staged is null ? new StagedPolicyInfo(StagedAction.Set, new PolicyIdentity(PolicyKinds.GlobalNetworkPolicy, null, key.Name)) : null }));
                    }

                    break;
                case 7:
                    _s.WithProfile("prof" + _random.Next(1, 3), inbound: Rules(true), outbound: Rules(false));
                    break;
                case 9:
                    if (State.Policies.TryGetValue(key, out PolicyIntent? grown))
                    {
                        // One rule inserted at a random place (the rules after it move down one index).
                        List<RuleModel> rules = [.. grown.InboundRules];
                        rules.Insert(_random.Next(rules.Count + 1), Rules(true)[0]);
                        State.Apply(new ActivePolicyUpdate(key, grown with { InboundRules = [.. rules.Select((r, k) => r with { Index = k })] }));
                    }

                    break;
                case 10:
                    if (State.Policies.TryGetValue(key, out PolicyIntent? shrunk) && shrunk.InboundRules.Count > 0)
                    {
                        List<RuleModel> rules = [.. shrunk.InboundRules];
                        rules.RemoveAt(_random.Next(rules.Count));
                        State.Apply(new ActivePolicyUpdate(key, shrunk with { InboundRules = [.. rules.Select((r, k) => r with { Index = k })] }));
                    }

                    break;
                default:
                    break; // nothing changed
            }
        }

        private void ChangeEndpoint(int e)
        {
            var tiers = new List<TierIntent>();
            foreach (string tier in new[] { "t0", "t1" })
            {
                List<PolicyKey> chosen = [.. _policies.Where(k => k.Tier == tier && _random.Next(3) != 0)];
                tiers.Add(Tier(tier, _random.Next(3) == 0 ? RuleAction.Pass : RuleAction.Deny, ingress: chosen, egress: _random.Next(2) == 0 ? chosen : null));
            }

            string[] profiles = _random.Next(3) switch { 0 => ["prof1"], 1 => ["prof2", "prof1"], _ => [] };
            _s.WithEndpoint("wl" + e, "cali" + e, tiers, profiles);
        }

        private List<RuleModel> Rules(bool inbound) => _simple ? EngineAgreementTests.RandomSimpleRules(_random, inbound) : EngineAgreementTests.RandomRules(_random);
    }
}
