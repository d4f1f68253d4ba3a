using System.Collections.Immutable;

namespace Calico.Felix.Bpf;

internal static partial class RuleRunMerger
{
    /// <summary>
    /// What a table's linear rules share with its last merge's (<see cref="MergeMemo"/>): the same rule objects at its
    /// start (indices below <see cref="_head"/>) and at its end (the last <see cref="_tail"/>, shifted by the change in
    /// length). A change to one policy leaves everything else shared, found by reference compares alone (no hashing).
    /// </summary>
    private readonly struct Shared
    {
        private readonly MergeMemo? _previous;
        private readonly int _length;
        private readonly int _head;
        private readonly int _tail;

        private Shared(MergeMemo previous, int length, int head, int tail)
        {
            _previous = previous;
            _length = length;
            _head = head;
            _tail = tail;
        }

        /// <summary>Nothing shared when there is no last merge (or it was cut with another average length).</summary>
        public static Shared Between(MergeMemo? previous, ImmutableArray<FlatRule> rules)
        {
            if (previous is null)
            {
                return default;
            }

            ImmutableArray<FlatRule> old = previous.Linear;
            int limit = Math.Min(old.Length, rules.Length);
            int head = 0;
            while (head < limit && Same(rules[head], old[head], 0))
            {
                head++;
            }

            int tail = 0;
            int shift = old.Length - rules.Length;
            while (tail < limit - head && Same(rules[rules.Length - 1 - tail], old[old.Length - 1 - tail], shift))
            {
                tail++;
            }

            return new Shared(previous, rules.Length, head, tail);
        }

        /// <summary>
        /// The same rule (the usual case: the same object, from an unchanged fragment), or one linearising made again
        /// with the same content (a tier's end, the final drop) and jumps moved by <paramref name="shift"/> (the
        /// change in length: a Pass's or a guard's target after the change).
        /// </summary>
        private static bool Same(FlatRule rule, FlatRule old, int shift)
        {
            if (ReferenceEquals(rule, old))
            {
                return true;
            }

            bool jumps = rule.Action is FlatAction.Goto or FlatAction.Next || rule.SkipsGroup;
            return jumps ? rule.Jump + shift == old.Jump && (rule with { Jump = old.Jump }).Equals(old) : rule.Equals(old);
        }

        /// <summary>The last merge's index of rule <paramref name="index"/> when shared, else -1.</summary>
        private int Old(int index) =>
            _previous is null ? -1
            : index < _head ? index
            : index >= _length - _tail ? index - _length + _previous.Linear.Length
            : -1;

        /// <summary>How many rules at the start are shared.</summary>
        public int Head => _head;

        /// <summary>How many rules at the end are shared.</summary>
        public int Tail => _tail;

        /// <summary>
        /// Arrays for the table's facts holding the shared rules' already: the last merge's own when the length is the
        /// same (a toggled action: its facts are dropped with it, and only the rules in between are written again, so
        /// no 16,000-entry arrays are allocated per change), else new ones with the shared rules' copied in.
        /// </summary>
        public RuleFacts Facts(int length)
        {
            if (_previous is null)
            {
                return new RuleFacts(length);
            }

            RuleFacts old = _previous.Facts;
            if (_previous.Linear.Length == _length)
            {
                return old;
            }

            var facts = new RuleFacts(_length);
            int from = _previous.Linear.Length - _tail;
            int to = _length - _tail;
            Array.Copy(old.Kinds, facts.Kinds, _head);
            Array.Copy(old.Descriptions, facts.Descriptions, _head);
            Array.Copy(old.Boundaries, facts.Boundaries, _head);
            Array.Copy(old.Kinds, from, facts.Kinds, to, _tail);
            Array.Copy(old.Descriptions, from, facts.Descriptions, to, _tail);
            Array.Copy(old.Boundaries, from, facts.Boundaries, to, _tail);
            return facts;
        }

        /// <summary>
        /// The last merge's chunk over exactly the rules [<paramref name="start"/>, <paramref name="stop"/>) when they
        /// all lie in one shared part (the same objects in the same order), else null.
        /// </summary>
        public MergedChunk? Chunk(int start, int stop)
        {
            bool inHead = stop <= _head;
            bool inTail = start >= _length - _tail;
            if (_previous is null || !(inHead || inTail))
            {
                return null;
            }

            int old = Old(start);
            return _previous.Chunks.TryGetValue(old, out MergedChunk? chunk) && chunk.Stop == Old(stop - 1) + 1 ? chunk : null;
        }
    }
}
