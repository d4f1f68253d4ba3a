using Calico.Benchmarks;

namespace Calico.Architecture.Tests;

/// <summary>
/// The benches' interleaving harness (bench/Calico.Benchmarks/InterleavedRuns.cs, compiled in): the order subjects
/// are measured in, that the warm-up round is not counted, ratios taken pair by pair, medians of odd and even counts.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class InterleavedRunsTests
{
    [Fact]
    public async Task MeasureAsync_VisitsSubjectsRoundByRound_AfterAWarmUpThatIsNotCounted()
    {
        var calls = new List<string>();
        var values = new Dictionary<string, double> { ["A"] = 0, ["B"] = 0 };

        InterleavedRuns runs = await InterleavedRuns.MeasureAsync(["A", "B"], 3, Measure, CancellationToken.None);

        Assert.Equal(["A", "B", "A", "B", "A", "B", "A", "B"], calls);

        // The warm-up round measured A=1, B=1; the counted rounds 2, 3, 4.
        Assert.Equal([2.0, 3.0, 4.0], runs.Samples("A", "x"));
        Assert.Equal([2.0, 3.0, 4.0], runs.Samples("B", "x"));

        Task<IReadOnlyDictionary<string, double>> Measure(string subject, CancellationToken cancellationToken)
        {
            calls.Add(subject);
            values[subject]++;
            return Task.FromResult<IReadOnlyDictionary<string, double>>(new Dictionary<string, double> { ["x"] = values[subject] });
        }
    }

    [Fact]
    public async Task MeasureAsync_WithRotate_StartsEachRoundOneSubjectLater()
    {
        var calls = new List<string>();

        _ = await InterleavedRuns.MeasureAsync(["A", "B", "C"], 3, (subject, _) =>
        {
            calls.Add(subject);
            return Task.FromResult<IReadOnlyDictionary<string, double>>(new Dictionary<string, double> { ["x"] = 1 });
        }, CancellationToken.None, rotate: true);

        Assert.Equal(string.Join(' ', ["A B C", "A B C", "B C A", "C A B"]), string.Join(' ', calls));
    }

    [Fact]
    public async Task Ratio_PairsSamplesOfTheSameRound_NotTheMedians()
    {
        // Round by round the subject reads exactly twice the anchor while both drift by 10× across rounds: the
        // ratio of medians would also be 2 here, but min and max show the pairing (every pair is exactly 2).
        double[] anchor = [1, 10, 100, 1000, 5];
        var round = new Dictionary<string, int> { ["anchor"] = -1, ["subject"] = -1 };
        InterleavedRuns runs = await InterleavedRuns.MeasureAsync(["anchor", "subject"], anchor.Length, (subject, _) =>
        {
            int r = round[subject]++;
            double value = r < 0 ? 999 : subject == "anchor" ? anchor[r] : 2 * anchor[r];
            return Task.FromResult<IReadOnlyDictionary<string, double>>(new Dictionary<string, double> { ["x"] = value });
        }, CancellationToken.None);

        Spread ratio = runs.Ratio("subject", "anchor", "x");

        Assert.Equal(new Spread(2, 2, 2, 5), ratio);
        Assert.Equal(new Spread(10, 1, 1000, 5), runs.Of("anchor", "x"));
    }

    [Fact]
    public void Spread_Of_TakesTheMiddleOfAnOddCount_AndTheMeanOfTheTwoMiddlesOfAnEvenCount()
    {
        Assert.Equal(new Spread(3, 1, 9, 5), Spread.Of([9, 1, 3, 7, 2]));
        Assert.Equal(new Spread(4.5, 1, 9, 4), Spread.Of([9, 1, 3, 6]));
        Assert.Equal(0, Spread.Of([]).Count);
        Assert.True(double.IsNaN(Spread.Of([]).Median));
        Assert.Equal("4.50× (1.00–9.00, n=4)", Spread.Of([9, 1, 3, 6]).Format("×"));
        Assert.Equal("5 (1–9, n=4)", Spread.Of([9, 1, 4, 6]).Format(number: "F0"));
    }

    [Fact]
    public void RoundsFromEnvironment_FallsBackToTheFloor_WhenUnsetOrNotAPositiveNumber()
    {
        Assert.Equal(InterleavedRuns.MinimumRounds, InterleavedRuns.RoundsFromEnvironment("CALICO_TEST_UNSET_" + Guid.NewGuid().ToString("N")));
    }
}
