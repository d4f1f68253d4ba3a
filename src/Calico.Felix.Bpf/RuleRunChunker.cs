namespace Calico.Felix.Bpf;

/// <summary>
/// Cuts a maximal run of same-verdict simple rules into content-defined chunks (as rsync and restic chunk data), each
/// merged on its own (<see cref="RuleRunMerger"/>): a chunk ends after a rule whose boundary hash (its description and
/// origin) has its low bits zero, once the chunk holds a quarter of the average length, or at four times the average.
/// A chunk's end depends only on the rules from its start, so a change to one rule (its action toggled, a rule inserted
/// or removed) changes the chunks around it, and the next natural boundary puts the chunking back in step: every other
/// chunk keeps its definition, hence its run id and its trie entries (nothing written for them). The union of the
/// chunks is the run's: first-match semantics are the same, at one lookup per chunk for a new flow.
/// </summary>
internal static class RuleRunChunker
{
    /// <summary>The smallest automatic average: short runs stay whole (a run of up to 8 rules is never cut).</summary>
    public const int MinimumAverage = 32;

    /// <summary>The largest average an option may ask for.</summary>
    public const int MaximumAverage = 4096;

    /// <summary>The smallest average an option may ask for (its chunks are 2 to 16 rules long).</summary>
    public const int SmallestAverage = 4;

    /// <summary>
    /// The average chunk length in a table of <paramref name="tableLength"/> linear rules: <paramref name="configured"/>
    /// if set, else the largest power of two whose square is at most 8 × the length (≈ 2√n, rounded in log scale), at
    /// least <see cref="MinimumAverage"/>. A change rewrites about one chunk (≈ 1.25 × average rules' entries) plus the
    /// table's run rules (≈ n ÷ 1.25 × average): √n balances the two, the factor 2 favours fewer lookups per new flow.
    /// By the table's length, not the run's: a toggled rule splits its run in two, and each part must keep its chunks;
    /// the table's length moves only by an inserted or removed rule, and the average changes only when it crosses
    /// 2,048, 8,192, 32,768, ... (then every chunk of the table is new, once).
    /// </summary>
    public static int AverageLength(int tableLength, int configured)
    {
        if (configured != 0)
        {
            return configured;
        }

        long limit = 8L * tableLength;
        int average = MinimumAverage;
        while (average < MaximumAverage && (long)(average * 2) * (average * 2) <= limit)
        {
            average *= 2;
        }

        return average;
    }

    /// <summary>Whether <paramref name="length"/> is a valid <see cref="BpfCompileOptions.RunChunkLength"/>.</summary>
    public static bool IsValidOption(int length) =>
        length == 0 || (length >= SmallestAverage && length <= MaximumAverage && (length & (length - 1)) == 0);

    /// <summary>
    /// Where the chunk starting at <paramref name="start"/> ends (exclusive): after the first rule at least a quarter of
    /// <paramref name="average"/> in whose boundary hash (<paramref name="boundaries"/>: one per rule of the run) the
    /// low bits are zero (probability 1 ÷ average), or after four times the average rules, or at the run's end.
    /// </summary>
    public static int End(ReadOnlySpan<ulong> boundaries, int start, int average)
    {
        int minimum = Math.Max(2, average / 4); // a one-rule chunk would be a lookup saving nothing
        int maximum = average * 4;
        ulong mask = (ulong)average - 1;
        for (int j = start; j < boundaries.Length; j++)
        {
            int length = j - start + 1;
            if (length >= maximum || (length >= minimum && (boundaries[j] & mask) == 0))
            {
                return j + 1;
            }
        }

        return boundaries.Length;
    }
}
