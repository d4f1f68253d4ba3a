using System.Collections.Frozen;

namespace Calico.Selectors.Evaluation;

/// <summary>
/// One node of the flattened tree. <see cref="First"/>/<see cref="Count"/> index the program's
/// child table for And/Or; <see cref="First"/> is the operand's instruction for Not.
/// </summary>
internal readonly struct Instruction
{
    /// <summary>Above this many values a set is hashed; below, a linear ordinal scan is faster.</summary>
    private const int LinearSetLimit = 8;

    public Instruction(OpCode op, string? label = null, string? value = null, string[]? set = null, int first = 0, int count = 0)
    {
        Op = op;
        Label = label;
        Value = value;
        Set = set;
        First = first;
        Count = count;
        LargeSet = set is { Length: > LinearSetLimit } ? set.ToFrozenSet(StringComparer.Ordinal) : null;
    }

    public OpCode Op { get; }

    public string? Label { get; }

    public string? Value { get; }

    public string[]? Set { get; }

    public FrozenSet<string>? LargeSet { get; }

    public int First { get; }

    public int Count { get; }

    public bool SetContains(string value)
    {
        if (LargeSet is not null)
        {
            return LargeSet.Contains(value);
        }

        var set = Set!;
        for (var i = 0; i < set.Length; i++)
        {
            if (string.Equals(set[i], value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
