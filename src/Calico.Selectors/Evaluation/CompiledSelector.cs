namespace Calico.Selectors.Evaluation;

/// <summary>
/// The selector tree flattened into arrays and evaluated by one non-virtual generic method, so a
/// struct <see cref="ILabelSource"/> is specialised (no boxing, no virtual dispatch per node) and a
/// match allocates nothing.
/// </summary>
internal sealed class CompiledSelector
{
    private readonly Instruction[] _code;
    private readonly int[] _children;
    private readonly int _root;

    private CompiledSelector(Instruction[] code, int[] children)
    {
        _code = code;
        _children = children;
        _root = code.Length - 1;
    }

    public static CompiledSelector Compile(SelectorNode root)
    {
        var code = new List<Instruction>();
        var children = new List<int>();
        Emit(root, code, children);
        return new CompiledSelector([.. code], [.. children]);
    }

    public bool Evaluate<TLabels>(ref TLabels labels)
        where TLabels : ILabelSource => Eval(_root, ref labels);

    // Post-order: operands are emitted before their parent, so the root is the last instruction.
    private static int Emit(SelectorNode node, List<Instruction> code, List<int> children)
    {
        Instruction instruction;
        switch (node)
        {
            case AllNode or GlobalNode:
                instruction = new Instruction(OpCode.True);
                break;
            case HasNode has:
                instruction = new Instruction(OpCode.Has, has.Label);
                break;
            case LabelComparisonNode cmp:
                var op = cmp.Operator switch
                {
                    ComparisonOperator.Equal => OpCode.Equal,
                    ComparisonOperator.NotEqual => OpCode.NotEqual,
                    ComparisonOperator.Contains => OpCode.Contains,
                    ComparisonOperator.StartsWith => OpCode.StartsWith,
                    _ => OpCode.EndsWith,
                };
                instruction = new Instruction(op, cmp.Label, cmp.Value);
                break;
            case LabelSetNode set:
                instruction = new Instruction(set.IsNotIn ? OpCode.NotIn : OpCode.In, set.Label, set: set.ValueArray);
                break;
            case NotNode not:
                instruction = new Instruction(OpCode.Not, first: Emit(not.Operand, code, children));
                break;
            case AndNode and:
                instruction = EmitGroup(OpCode.And, and.Operands, code, children);
                break;
            case OrNode or:
                instruction = EmitGroup(OpCode.Or, or.Operands, code, children);
                break;
            default:
                throw new InvalidOperationException($"unknown selector node {node.GetType().Name}");
        }

        code.Add(instruction);
        return code.Count - 1;
    }

    private static Instruction EmitGroup(OpCode op, IReadOnlyList<SelectorNode> operands, List<Instruction> code, List<int> children)
    {
        var indexes = new int[operands.Count];
        for (var i = 0; i < indexes.Length; i++)
        {
            indexes[i] = Emit(operands[i], code, children);
        }

        // Operands' own groups were appended while emitting them; this group's slice goes after.
        var first = children.Count;
        children.AddRange(indexes);
        return new Instruction(op, first: first, count: indexes.Length);
    }

    private bool Eval<TLabels>(int index, ref TLabels labels)
        where TLabels : ILabelSource
    {
        ref readonly var ins = ref _code[index];
        string? value;
        switch (ins.Op)
        {
            case OpCode.True:
                return true;
            case OpCode.Has:
                return labels.TryGet(ins.Label!, out _);
            case OpCode.Equal:
                return labels.TryGet(ins.Label!, out value) && string.Equals(value, ins.Value, StringComparison.Ordinal);
            case OpCode.NotEqual:
                return !labels.TryGet(ins.Label!, out value) || !string.Equals(value, ins.Value, StringComparison.Ordinal);
            case OpCode.Contains:
                return labels.TryGet(ins.Label!, out value) && value.Contains(ins.Value!, StringComparison.Ordinal);
            case OpCode.StartsWith:
                return labels.TryGet(ins.Label!, out value) && value.StartsWith(ins.Value!, StringComparison.Ordinal);
            case OpCode.EndsWith:
                return labels.TryGet(ins.Label!, out value) && value.EndsWith(ins.Value!, StringComparison.Ordinal);
            case OpCode.In:
                return labels.TryGet(ins.Label!, out value) && ins.SetContains(value);
            case OpCode.NotIn:
                return !labels.TryGet(ins.Label!, out value) || !ins.SetContains(value);
            case OpCode.Not:
                return !Eval(ins.First, ref labels);
            case OpCode.And:
                for (var i = ins.First; i < ins.First + ins.Count; i++)
                {
                    if (!Eval(_children[i], ref labels))
                    {
                        return false;
                    }
                }

                return true;
            case OpCode.Or:
                for (var i = ins.First; i < ins.First + ins.Count; i++)
                {
                    if (Eval(_children[i], ref labels))
                    {
                        return true;
                    }
                }

                return false;
            default:
                throw new InvalidOperationException($"unknown opcode {ins.Op}");
        }
    }
}
