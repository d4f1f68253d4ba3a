using Calico.Goldmane.Api;

namespace Calico.Goldmane.Store;

public sealed partial class FlowStore
{
    /// <summary>
    /// Statistics.List: per policy (or per policy rule: action, rule index, direction) the packet, byte or live
    /// connection counts of the buckets starting in the time range, split allowed/denied/passed and in/out; with
    /// time_series one entry per bucket that has data (x = the bucket's start), else one total. Ordered by tier,
    /// namespace, name, kind, action, rule index, direction.
    /// </summary>
    /// <exception cref="ArgumentException">A bad field, named with its value.</exception>
    public IReadOnlyList<StatisticsResult> Statistics(StatisticsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Enum.IsDefined(request.Type))
        {
            throw new ArgumentException($"type: {(int)request.Type} is not a StatisticType");
        }

        if (!Enum.IsDefined(request.GroupBy))
        {
            throw new ArgumentException($"group_by: {(int)request.GroupBy} is not a StatisticsGroupBy");
        }

        var results = new Dictionary<StatisticsKey, StatisticsResult>();
        lock (_sync)
        {
            Advance();
            (long gte, long lt) = Range(request.StartTimeGte, request.StartTimeLt);
            for (long n = Oldest; n <= _head; n++)
            {
                var bucket = _ring[Slot(n)];
                if (bucket.Start < FloorTo(gte, _width) || bucket.Start >= lt || bucket.Statistics.IsEmpty)
                {
                    continue;
                }

                foreach ((var key, var counts) in bucket.Statistics.Query(request))
                {
                    if (!results.TryGetValue(key, out var result))
                    {
                        result = NewResult(key, request);
                        results[key] = result;
                    }

                    if (request.TimeSeries)
                    {
                        Append(result, counts);
                        result.X.Add(bucket.Start);
                    }
                    else
                    {
                        if (result.AllowedIn.Count == 0)
                        {
                            Append(result, default);
                        }

                        result.AllowedIn[0] += counts.AllowedIn;
                        result.AllowedOut[0] += counts.AllowedOut;
                        result.DeniedIn[0] += counts.DeniedIn;
                        result.DeniedOut[0] += counts.DeniedOut;
                        result.PassedIn[0] += counts.PassedIn;
                        result.PassedOut[0] += counts.PassedOut;
                    }
                }
            }
        }

        return [.. results
            .OrderBy(r => r.Key.Policy.Tier, StringComparer.Ordinal)
            .ThenBy(r => r.Key.Policy.Namespace, StringComparer.Ordinal)
            .ThenBy(r => r.Key.Policy.Name, StringComparer.Ordinal)
            .ThenBy(r => r.Key.Policy.Kind)
            .ThenBy(r => r.Key.Action)
            .ThenBy(r => r.Key.RuleIndex)
            .ThenBy(r => r.Key.Direction)
            .Select(r => r.Value)];
    }

    private static StatisticsResult NewResult(StatisticsKey key, StatisticsRequest request) => new()
    {
        Policy = new PolicyHit
        {
            Kind = key.Policy.Kind,
            Namespace = key.Policy.Namespace,
            Name = key.Policy.Name,
            Tier = key.Policy.Tier,
            Action = key.Action,
            RuleIndex = key.RuleIndex,
        },
        Direction = key.Direction,
        GroupBy = request.GroupBy,
        Type = request.Type,
    };

    private static void Append(StatisticsResult result, CountSet counts)
    {
        result.AllowedIn.Add(counts.AllowedIn);
        result.AllowedOut.Add(counts.AllowedOut);
        result.DeniedIn.Add(counts.DeniedIn);
        result.DeniedOut.Add(counts.DeniedOut);
        result.PassedIn.Add(counts.PassedIn);
        result.PassedOut.Add(counts.PassedOut);
    }
}
