using System.Globalization;

namespace Calico.Benchmarks;

/// <summary>
/// Measures every subject in turn, round by round (A B C, A B C, ...), after one warm-up round that is not counted.
/// Drift in the machine's load then falls on every subject alike, and the first-measured subject no longer reads low
/// (a single A-then-B run read the anchor 20 % below the rulesets measured after it). Ratios are taken pair by pair
/// within a round, then summarised: the median of the per-round ratios, with their min and max.
/// </summary>
/// <remarks>
/// A subject's <c>measure</c> callback switches the system to that subject (loads a ruleset, picks a path) and
/// returns one or more named figures (e.g. "Gbit/s" and "conn/s") for that round.
/// </remarks>
internal sealed class InterleavedRuns
{
    /// <summary>The floor: at least this many counted rounds per subject.</summary>
    public const int MinimumRounds = 5;

    private readonly Dictionary<(string Subject, string Figure), List<double>> _samples = [];

    private InterleavedRuns(IReadOnlyList<string> subjects, int rounds)
    {
        Subjects = subjects;
        Rounds = rounds;
    }

    public IReadOnlyList<string> Subjects { get; }

    public int Rounds { get; }

    /// <summary>Rounds from the environment variable (e.g. for a quick try), never fewer than 1, default <paramref name="fallback"/>.</summary>
    public static int RoundsFromEnvironment(string variable, int fallback = MinimumRounds) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.None, CultureInfo.InvariantCulture, out int rounds) && rounds > 0
            ? rounds
            : fallback;

    public static async Task<InterleavedRuns> MeasureAsync(
        IReadOnlyList<string> subjects,
        int rounds,
        Func<string, CancellationToken, Task<IReadOnlyDictionary<string, double>>> measure,
        CancellationToken cancellationToken,
        bool warmUp = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        var runs = new InterleavedRuns(subjects, rounds);
        for (int round = warmUp ? -1 : 0; round < rounds; round++)
        {
            foreach (string subject in subjects)
            {
                IReadOnlyDictionary<string, double> figures = await measure(subject, cancellationToken);
                if (round < 0)
                {
                    continue;
                }

                foreach ((string figure, double value) in figures)
                {
                    if (!runs._samples.TryGetValue((subject, figure), out List<double>? list))
                    {
                        runs._samples[(subject, figure)] = list = [];
                    }

                    list.Add(value);
                }
            }

            Console.WriteLine(round < 0 ? "   warm-up round done (not counted)" : string.Create(CultureInfo.InvariantCulture, $"   round {round + 1}/{rounds} done"));
        }

        return runs;
    }

    public IReadOnlyList<double> Samples(string subject, string figure) =>
        _samples.TryGetValue((subject, figure), out List<double>? list) ? list : [];

    public Spread Of(string subject, string figure) => Spread.Of(Samples(subject, figure));

    /// <summary>subject ÷ anchor, round by round (the pairs measured closest in time), summarised.</summary>
    public Spread Ratio(string subject, string anchor, string figure)
    {
        IReadOnlyList<double> numerators = Samples(subject, figure);
        IReadOnlyList<double> denominators = Samples(anchor, figure);
        int pairs = Math.Min(numerators.Count, denominators.Count);
        return Spread.Of(Enumerable.Range(0, pairs).Select(i => numerators[i] / denominators[i]).ToList());
    }

    /// <summary>
    /// Prints one figure for every subject (median and min–max) and each subject's pair-by-pair ratio to
    /// <paramref name="anchor"/>, beside the aim when there is one.
    /// </summary>
    public void Print(string figure, string anchor, string? aim = null)
    {
        foreach (string subject in Subjects)
        {
            string line = Of(subject, figure).Format();
            if (subject != anchor)
            {
                line += "   ÷ anchor " + Ratio(subject, anchor, figure).Format("×");
            }

            Stats.Row($"{subject}: {figure}", line);
        }

        if (aim is not null)
        {
            Stats.Row($"  aim ({figure} ÷ {anchor})", aim);
        }
    }
}

/// <summary>Median with min and max of a small sample, as the benches print it: <c>12.30 (11.90–12.80)</c>.</summary>
internal readonly record struct Spread(double Median, double Min, double Max, int Count)
{
    public static Spread Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return new Spread(double.NaN, double.NaN, double.NaN, 0);
        }

        var sorted = values.Order().ToList();
        double median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        return new Spread(median, sorted[0], sorted[^1], sorted.Count);
    }

    public string Format(string unit = "") =>
        string.Create(CultureInfo.InvariantCulture, $"{Median:F2}{unit} ({Min:F2}–{Max:F2}, n={Count})");
}
