using Calico.Goldmane.Api;
using Action = Calico.Goldmane.Api.Action;

namespace Calico.Felix.FlowLogs;

public sealed partial class FlowAggregator
{
    /// <summary>An allowed connection: its key (fixed at its first packet, pending trace refreshed) and last counters.</summary>
    private sealed class Connection(FlowKey key, List<PolicyHit> enforced, FlowEndpoint source, FlowEndpoint destination)
    {
        public FlowKey Key { get; set; } = key;

        public List<PolicyHit> Enforced { get; } = enforced;

        public FlowEndpoint Source { get; set; } = source;

        public FlowEndpoint Destination { get; set; } = destination;

        public long PacketsOriginal { get; set; }

        public long BytesOriginal { get; set; }

        public long PacketsReply { get; set; }

        public long BytesReply { get; set; }

        public long SeenGeneration { get; set; }

        /// <summary>Counter growth since the last flush, from the reporting side's point of view.</summary>
        public long PacketsIn { get; set; }

        public long PacketsOut { get; set; }

        public long BytesIn { get; set; }

        public long BytesOut { get; set; }
    }

    /// <summary>One flow key's totals within the current interval.</summary>
    private sealed class Accumulator(IReadOnlyList<string> sourceLabels, IReadOnlyList<string> destLabels)
    {
        private const int SeenLimit = 4096;
        private HashSet<FlowTuple>? _seen;

        public IReadOnlyList<string> SourceLabels { get; } = sourceLabels;

        public IReadOnlyList<string> DestLabels { get; } = destLabels;

        public long PacketsIn { get; set; }

        public long PacketsOut { get; set; }

        public long BytesIn { get; set; }

        public long BytesOut { get; set; }

        public long Started { get; set; }

        public long Completed { get; set; }

        public long Live { get; set; }

        public List<FlowTuple> Samples { get; } = [];

        public long SamplesOmitted { get; private set; }

        public void AddSample(FlowTuple tuple, int max)
        {
            // Distinct tuples are remembered up to a bound; past it a repeat may be counted again as omitted.
            _seen ??= [];
            if (_seen.Contains(tuple))
            {
                return;
            }

            if (_seen.Count < SeenLimit)
            {
                _seen.Add(tuple);
            }

            if (Samples.Count < max)
            {
                Samples.Add(tuple);
            }
            else
            {
                SamplesOmitted++;
            }
        }
    }
}
