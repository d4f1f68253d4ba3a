namespace Calico.Selectors;

/// <summary>
/// Derives <see cref="LabelRestriction"/>s from a tree with upstream's rules: leaves that need a
/// label give "present" (with values for <c>==</c> and <c>in</c>); <c>!has</c> gives "absent";
/// other negations, <c>!=</c> and <c>not in</c> give nothing; AND combines every operand's
/// restrictions (intersecting value sets); OR keeps only what every operand requires (uniting
/// value sets).
/// </summary>
internal static class LabelRestrictionAnalysis
{
    public static IReadOnlyDictionary<string, LabelRestriction> Compute(SelectorNode root)
    {
        var working = Analyse(root);
        var result = new Dictionary<string, LabelRestriction>(StringComparer.Ordinal);
        if (working is not null)
        {
            foreach (var (label, r) in working)
            {
                result[label] = new LabelRestriction(r.Present, r.Absent, r.Values is null ? null : [.. r.Values]);
            }
        }

        return result;
    }

    // Null and empty both mean "no restrictions".
    private static Dictionary<string, Working>? Analyse(SelectorNode node) => node switch
    {
        HasNode has => Single(has.Label, new Working { Present = true }),
        LabelComparisonNode { Operator: ComparisonOperator.Equal } eq =>
            Single(eq.Label, new Working { Present = true, Values = new SortedSet<string>(CodePointComparer.Instance) { eq.Value } }),
        LabelComparisonNode { Operator: ComparisonOperator.NotEqual } => null,
        LabelComparisonNode cmp => Single(cmp.Label, new Working { Present = true }),
        LabelSetNode { IsNotIn: false } set => Single(set.Label, new Working { Present = true, Values = new SortedSet<string>(set.Values, CodePointComparer.Instance) }),
        NotNode { Operand: HasNode has } => Single(has.Label, new Working { Absent = true }),
        AndNode and => And(and.Operands),
        OrNode or => Or(or.Operands),
        _ => null,
    };

    private static Dictionary<string, Working> Single(string label, Working restriction) =>
        new(StringComparer.Ordinal) { [label] = restriction };

    private static Dictionary<string, Working>? And(IReadOnlyList<SelectorNode> operands)
    {
        var combined = new Dictionary<string, Working>(StringComparer.Ordinal);
        foreach (var operand in operands)
        {
            var restrictions = Analyse(operand);
            if (restrictions is null)
            {
                continue;
            }

            foreach (var (label, r) in restrictions)
            {
                if (!combined.TryGetValue(label, out var baseline))
                {
                    combined[label] = r;
                    continue;
                }

                baseline.Present |= r.Present;
                baseline.Absent |= r.Absent;
                if (baseline.Values is null)
                {
                    baseline.Values = r.Values;
                }
                else if (r.Values is not null)
                {
                    baseline.Values.IntersectWith(r.Values);
                }
            }
        }

        return combined.Count == 0 ? null : combined;
    }

    private static Dictionary<string, Working>? Or(IReadOnlyList<SelectorNode> operands)
    {
        // A label can only be required if the first operand requires it, so start from its keys.
        var combined = Analyse(operands[0]);
        if (combined is null)
        {
            return null;
        }

        for (var i = 1; i < operands.Count && combined.Count > 0; i++)
        {
            var other = Analyse(operands[i]);
            foreach (var label in new List<string>(combined.Keys))
            {
                var r = combined[label];
                Working? o = null;
                other?.TryGetValue(label, out o);
                var present = r.Present && o is { Present: true };
                r.Values = !present || r.Values is null || o!.Values is null ? null : Union(r.Values, o.Values);
                r.Present = present;
                r.Absent = r.Absent && o is { Absent: true };
                if (!r.Present && !r.Absent)
                {
                    combined.Remove(label);
                }
            }
        }

        return combined.Count == 0 ? null : combined;
    }

    private static SortedSet<string> Union(SortedSet<string> a, SortedSet<string> b)
    {
        a.UnionWith(b);
        return a;
    }

    private sealed class Working
    {
        public bool Present { get; set; }

        public bool Absent { get; set; }

        public SortedSet<string>? Values { get; set; }
    }
}
