using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules.Merging;

/// <summary>Port range lists as sorted, disjoint, non-adjacent ranges: union and difference.</summary>
internal static class PortRanges
{
    public static List<PortRange> Union(List<PortRange> ranges)
    {
        ranges.Sort(static (a, b) => a.First.CompareTo(b.First));
        var result = new List<PortRange>(ranges.Count);
        foreach (PortRange r in ranges)
        {
            if (result.Count > 0 && r.First <= result[^1].Last + 1)
            {
                result[^1] = result[^1] with { Last = Math.Max(result[^1].Last, r.Last) };
            }
            else
            {
                result.Add(r);
            }
        }

        return result;
    }

    /// <summary><paramref name="ranges"/> minus <paramref name="removed"/>; both sorted and disjoint (from <see cref="Union"/>).</summary>
    public static List<PortRange> Except(List<PortRange> ranges, List<PortRange> removed)
    {
        if (removed.Count == 0)
        {
            return ranges;
        }

        var result = new List<PortRange>(ranges.Count);
        foreach (PortRange r in ranges)
        {
            int first = r.First;
            foreach (PortRange cut in removed)
            {
                if (cut.Last < first || cut.First > r.Last)
                {
                    continue;
                }

                if (cut.First > first)
                {
                    result.Add(new PortRange(first, cut.First - 1));
                }

                first = cut.Last + 1;
                if (first > r.Last)
                {
                    break;
                }
            }

            if (first <= r.Last)
            {
                result.Add(new PortRange(first, r.Last));
            }
        }

        return result;
    }
}
