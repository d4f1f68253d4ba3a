using Calico.Goldmane.Api;

namespace Calico.Goldmane.Store;

public sealed partial class FlowStore
{
    /// <summary>
    /// Flows.List: every flow key with a window starting in [start_time_gte, start_time_lt), aggregated over those
    /// windows (or per aggregation_interval slot when set), filtered, sorted (default: newest start first) and paged.
    /// </summary>
    /// <exception cref="ArgumentException">A bad field, named with its value.</exception>
    public FlowListResult List(FlowListRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ValidatePaging(request.Page, request.PageSize);
        if (request.AggregationInterval < 0 || request.AggregationInterval % _width != 0)
        {
            throw new ArgumentException($"aggregation_interval: {request.AggregationInterval} is not a multiple of the {_width} s aggregation window");
        }

        var comparer = FlowOrder.For(request.SortBy);
        var list = new FlowListResult();
        lock (_sync)
        {
            Advance();
            (long gte, long lt) = Range(request.StartTimeGte, request.StartTimeLt);
            // Sort and page on cheap candidates (the flow and its range); only the page is aggregated into wire flows.
            var candidates = new List<FlowCandidate>();
            foreach (var flow in FlowsIn(gte, lt, request.Filter))
            {
                if (request.AggregationInterval == 0)
                {
                    candidates.Add(new FlowCandidate(flow, gte, lt, flow.FirstStartIn(gte, lt)));
                    continue;
                }

                long previous = long.MinValue;
                foreach (var window in flow.Windows)
                {
                    long slot = FloorTo(window.Start, request.AggregationInterval);
                    if (slot == previous || window.Start < gte || window.Start >= lt)
                    {
                        continue;
                    }

                    previous = slot;
                    long from = Math.Max(gte, slot);
                    long to = Math.Min(lt, slot + request.AggregationInterval);
                    candidates.Add(new FlowCandidate(flow, from, to, flow.FirstStartIn(from, to)));
                }
            }

            candidates.Sort(comparer);
            var page = Page(candidates, request.Page, request.PageSize, out var meta);
            list.Meta = meta;
            foreach (var candidate in page)
            {
                if (candidate.Flow.Aggregate(candidate.From, candidate.To) is { } aggregated)
                {
                    list.Flows.Add(new FlowResult { Id = candidate.Flow.Id, Flow = aggregated });
                }
            }
        }

        return list;
    }

    /// <summary>
    /// Upstream's time semantics: gte 0 = oldest kept, negative = relative to now; lt negative = relative to now, and
    /// 0 = "now" taken as everything received so far (the end of the newest bucket, so the bucket filling now and a
    /// flow stamped this very second are included); gte must be before lt.
    /// </summary>
    private (long Gte, long Lt) Range(long gte, long lt)
    {
        long now = Now();
        gte = gte switch
        {
            0 => Oldest * _width,
            < 0 => now + gte,
            _ => gte,
        };
        lt = lt switch
        {
            0 => (_head + 1) * _width,
            < 0 => now + lt,
            _ => lt,
        };
        if (gte >= lt)
        {
            throw new ArgumentException($"start_time_gte ({gte}) must be before start_time_lt ({lt})");
        }

        return (gte, lt);
    }

    /// <summary>The distinct flows with a window starting in [gte, lt) whose key matches the filter.</summary>
    private HashSet<DiachronicFlow> FlowsIn(long gte, long lt, Filter? filter)
    {
        var flows = new HashSet<DiachronicFlow>();
        var rejected = new HashSet<DiachronicFlow>();
        for (long n = Oldest; n <= _head; n++)
        {
            var bucket = _ring[Slot(n)];
            if (bucket.Start < FloorTo(gte, _width) || bucket.Start >= lt)
            {
                continue;
            }

            foreach (var flow in bucket.Flows)
            {
                if (flows.Contains(flow) || rejected.Contains(flow))
                {
                    continue;
                }

                if (flow.HasWindowIn(gte, lt) && FlowFilter.Matches(filter, flow.Key))
                {
                    flows.Add(flow);
                }
                else
                {
                    rejected.Add(flow);
                }
            }
        }

        return flows;
    }

    private static long FloorTo(long value, long width) =>
        (Math.DivRem(value, width, out long remainder) - (remainder < 0 ? 1 : 0)) * width;

    private static void ValidatePaging(long page, long pageSize)
    {
        if (page < 0)
        {
            throw new ArgumentException($"page: {page} is negative");
        }

        if (pageSize < 0)
        {
            throw new ArgumentException($"page_size: {pageSize} is negative");
        }
    }

    /// <summary>Page <paramref name="page"/> (from 0) of <paramref name="pageSize"/> items (0 = all), with the totals.</summary>
    private static List<T> Page<T>(List<T> all, long page, long pageSize, out ListMetadata meta)
    {
        meta = new ListMetadata
        {
            TotalResults = all.Count,
            TotalPages = all.Count == 0 ? 0 : pageSize == 0 ? 1 : (all.Count + pageSize - 1) / pageSize,
        };
        if (pageSize == 0)
        {
            return all;
        }

        long skip = page * pageSize;
        return skip >= all.Count ? [] : all.GetRange((int)skip, (int)Math.Min(pageSize, all.Count - skip));
    }
}
