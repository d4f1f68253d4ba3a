using Calico.Felix.Rules.Planning;

namespace Calico.Felix.Rules.Tests.Planning;

/// <summary>
/// Golden dumps of the plan for every hand-written pair of <see cref="DeltaScenarios"/> (testdata/planner/*.txt,
/// refreshed with UPDATE_GOLDEN=1): any change to the step order shows up as a reviewable diff.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class NftPlanGoldenTests
{
    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        foreach (var scenario in DeltaScenarios.All())
        {
            data.Add(scenario.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Plan_Scenario_MatchesGoldenDump(string name)
    {
        var (_, a, natA, b, natB) = DeltaScenarios.All().Single(s => s.Name == name);
        var config = new RenderConfig();

        string dump = NftPlanner.Plan(NftablesRenderer.Build(a, config, natA), NftablesRenderer.Build(b, config, natB)).Dump();

        Golden.Check("planner", FileName(name), dump);
    }

    private static string FileName(string scenario)
    {
        var name = new System.Text.StringBuilder();
        foreach (char c in scenario)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : c == ' ' ? '-' : '_');
        }

        return name.Append(".txt").ToString();
    }

    [Fact]
    public void Plan_FirstApply_MatchesGoldenDump()
    {
        string dump = NftPlanner.Plan(null, NftablesRenderer.Build(GoldenCases.TiersAndRules(), new RenderConfig(), NatInputs.None)).Dump();

        Golden.Check("planner", "first-apply.txt", dump);
    }
}
