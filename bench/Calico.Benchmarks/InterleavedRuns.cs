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
/// returns one or more named figures (e.g. "Gbit/s" and "conn/s") for that round. With <c>rotate</c>, round r starts
/// at subject r (mod the count): A B C, B C A, C A B, ... so no subject is always measured first (the position in a
/// round, e.g. the first after a pause, then falls on every subject alike); ratios still pair samples of one round.
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
        bool warmUp = true,
        bool rotate = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        var runs = new InterleavedRuns(subjects, rounds);
        for (int round = warmUp ? -1 : 0; round < rounds; round++)
        {
            int first = rotate && round > 0 ? round % subjects.Count : 0;
            for (var i = 0; i < subjects.Count; i++)
            {
                string subject = subjects[(first + i) % subjects.Count];
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
    public void Print(string figure, string anchor, string? aim = null, string number = "F2")
    {
        foreach (string subject in Subjects)
        {
            string line = Of(subject, figure).Format(number: number);
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
