using Calico.Felix.Calc.Model;
using Calico.Felix.Dataplane.Nftables;
using Calico.Felix.Rules;
using Calico.Felix.Rules.Planning;
using Calico.Felix.Rules.Tests.Planning;

namespace Calico.Felix.Dataplane.Tests.Nftables;

/// <summary>The nftables manager over the in-memory writer: plans, applies, and drift found rule by rule.</summary>
[Trait("Tier", "Unit")]
public sealed class NftablesManagerTests
{
    private readonly InMemoryNftablesWriter _writer = new();
    private readonly NftablesManager _manager;

    public NftablesManagerTests() => _manager = new NftablesManager(_writer);

    private async Task<string?> DriftAsync() => _manager.FindDrift(await _manager.ReadAsync(CancellationToken.None));

    /// <summary>A regular chain with at least two rules.</summary>
    private string PolicyChain => _manager.Applied!.Chains.First(c => c.Header is null && c.Rules.Count >= 2).Name;

    private NftSet MemberSet => _manager.Applied!.Sets.First(s => s.Elements.Count > 0);

    [Fact]
    public async Task Apply_First_IsFullReplacementThenDeltas()
    {
        await _manager.ApplyAsync(TestTables.Build(2, ["10.0.0.1/32"]), CancellationToken.None);
        await _manager.ApplyAsync(TestTables.Build(2, ["10.0.0.2/32"]), CancellationToken.None);
        DataplaneReport same = await _manager.ApplyAsync(TestTables.Build(2, ["10.0.0.2/32"]), CancellationToken.None);

        Assert.True(_writer.Applied[0].IsFullReplacement);
        Assert.Equal("first apply", _writer.Applied[0].FullReplacementReason);
        Assert.Equal([NftStepKind.DeleteElements, NftStepKind.AddElements], _writer.Applied[1].Steps.Select(s => s.Kind).Distinct());
        Assert.Equal(2, _writer.Applied.Count);
        Assert.Equal(0, same.Changes);
        Assert.Null(await DriftAsync());
    }

    [Fact]
    public async Task Apply_RulesCarryTheirHashInTheComment()
    {
        await _manager.ApplyAsync(TestTables.Build(1, ["10.0.0.1/32"]), CancellationToken.None);

        Assert.All(_writer.RulesOf(PolicyChain), rule => Assert.NotNull(NftRuleHash.HashOfComment(rule.Comment)));
    }

    [Fact]
    public async Task FindDrift_RuleEditedInPlace_FoundAndRepairedByTheNextApply()
    {
        NftTable table = TestTables.Build(2, ["10.0.0.1/32"]);
        await _manager.ApplyAsync(table, CancellationToken.None);
        IReadOnlyList<NftRule> rules = _writer.RulesOf(PolicyChain);
        // As `nft replace rule` without our comment: the verdict turned to drop, the hash gone.
        _writer.TamperReplaceRule(PolicyChain, 0, new NftRule(rules[0].Statements.Select(s => s is NftVerdict { Kind: NftVerdictKind.Accept } ? NftVerdict.Drop : s)));

        string? drift = await DriftAsync();
        await _manager.ApplyAsync(table, CancellationToken.None);

        Assert.Contains(PolicyChain + " rule 1 differs", drift, StringComparison.Ordinal);
        Assert.True(_writer.Applied[^1].IsFullReplacement);
        Assert.Equal(rules, _writer.RulesOf(PolicyChain));
        Assert.Null(await DriftAsync());
    }

    [Fact]
    public async Task FindDrift_ChainReordered_Found()
    {
        await _manager.ApplyAsync(TestTables.Build(1, ["10.0.0.1/32"]), CancellationToken.None);
        _writer.TamperSwapRules(PolicyChain, 0, 1);

        Assert.Contains(PolicyChain + " rule 1 differs", await DriftAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FindDrift_RuleDeletedOrAdded_Found()
    {
        await _manager.ApplyAsync(TestTables.Build(1, ["10.0.0.1/32"]), CancellationToken.None);
        _writer.TamperDeleteRule(PolicyChain, 1);
        string? deleted = await DriftAsync();
        await _manager.ApplyAsync(TestTables.Build(1, ["10.0.0.1/32"]), CancellationToken.None);
        _writer.TamperInsertRule(PolicyChain, 0, TestNft.Rule("counter accept"));

        Assert.Contains(PolicyChain + " has", deleted, StringComparison.Ordinal);
        Assert.Contains(PolicyChain + " has", await DriftAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FindDrift_SetElementChanged_Found()
    {
        await _manager.ApplyAsync(TestTables.Build(1, ["10.0.0.1/32", "10.0.0.2/32"]), CancellationToken.None);
        string set = MemberSet.Name;
        string element = MemberSet.Elements[0];
        _writer.TamperDeleteElement(set, element);
        _writer.TamperAddElement(set, "10.9.9.9");

        Assert.Equal($"set {set} lacks element {element}", await DriftAsync());
    }

    [Fact]
    public async Task FindDrift_TableDeleted_FoundAndReplacedWhole()
    {
        NftTable table = TestTables.Build(1, ["10.0.0.1/32"]);
        await _manager.ApplyAsync(table, CancellationToken.None);
        _writer.TamperDeleteTable();

        Assert.Equal("table inet calico is missing", await DriftAsync());
        await _manager.ApplyAsync(table, CancellationToken.None);
        Assert.Null(await DriftAsync());
    }

    [Fact]
    public async Task FindDrift_NothingChanged_IsNullAndKeepsTheDeltaBase()
    {
        await _manager.ApplyAsync(TestTables.Build(3, ["10.0.0.1/32"]), CancellationToken.None);

        Assert.Null(await DriftAsync());
        Assert.NotNull(_manager.Applied);
    }

    [Fact]
    public async Task Apply_WriterFails_NextApplyIsFullReplacement()
    {
        var failing = new FailingWriter(_writer);
        var manager = new NftablesManager(failing);
        await manager.ApplyAsync(TestTables.Build(1, ["10.0.0.1/32"]), CancellationToken.None);
        failing.FailNext = true;

        await Assert.ThrowsAsync<InvalidOperationException>(() => manager.ApplyAsync(TestTables.Build(2, ["10.0.0.1/32"]), CancellationToken.None));
        await manager.ApplyAsync(TestTables.Build(2, ["10.0.0.1/32"]), CancellationToken.None);

        Assert.Null(manager.Applied is null ? "not applied" : null);
        Assert.True(_writer.Applied[^1].IsFullReplacement);
    }

    [Fact]
    public async Task Apply_EveryKindOfChange_InMemoryTableEqualsAFreshApply()
    {
        // The in-memory writer refuses steps in a wrong order (a rule naming a missing chain or set, a non-empty
        // chain deleted): every transition between these tables must go through and end where a fresh apply does.
        NftTable[] tables =
        [
            TestTables.Build(0, []),
            TestTables.Build(3, ["10.0.0.1/32"]),
            TestTables.Build(5, ["10.0.0.1/32", "10.0.1.0/24"], RuleAction.Deny),
            TestTables.Build(2, ["10.0.0.2/32"], RuleAction.Allow, 443),
            TestTables.Build(0, []),
        ];
        foreach (NftTable from in tables)
        {
            foreach (NftTable to in tables)
            {
                var writer = new InMemoryNftablesWriter();
                var manager = new NftablesManager(writer);
                await manager.ApplyAsync(from, CancellationToken.None);
                await manager.ApplyAsync(to, CancellationToken.None);
                var fresh = new InMemoryNftablesWriter();
                await new NftablesManager(fresh).ApplyAsync(to, CancellationToken.None);

                Assert.Equal(await fresh.ReadTableJsonAsync(CancellationToken.None), await writer.ReadTableJsonAsync(CancellationToken.None));
            }
        }
    }

    private sealed class FailingWriter(INftablesWriter inner) : INftablesWriter
    {
        public bool FailNext { get; set; }

        public Task<NftWriteResult> ApplyAsync(NftPlan plan, CancellationToken cancellationToken)
        {
            if (FailNext)
            {
                FailNext = false;
                throw new InvalidOperationException("kernel said no");
            }

            return inner.ApplyAsync(plan, cancellationToken);
        }

        public Task<string?> ReadTableJsonAsync(CancellationToken cancellationToken) => inner.ReadTableJsonAsync(cancellationToken);
    }
}
