using System.Globalization;
using System.Net;
using System.Text.Json;
using Calico.Goldmane.Api;
using Microsoft.AspNetCore.Http;
using GmAction = Calico.Goldmane.Api.Action;
using MatchType = Calico.Goldmane.Api.MatchType;

namespace Calico.Goldmane.Web.Whisker;

/// <summary>
/// Decodes whisker-backend's query parameters (its <c>urlQuery</c> tags): <c>watch</c>, <c>startTimeGte</c>,
/// <c>startTimeLt</c>, <c>page</c>, <c>pageSize</c>, repeated <c>sortBy</c>, <c>filters</c> (URL-escaped JSON) and,
/// for hints, <c>type</c>. A bad value throws <see cref="WhiskerQueryException"/> naming the parameter and the value.
/// </summary>
internal static class WhiskerQuery
{
    public static WhiskerFlowsQuery ParseFlows(IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var sortBy = new List<SortBy>();
        foreach (string? value in query["sortBy"])
        {
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            if (!WhiskerNames.TryParse(WhiskerNames.SortBys, value, out var parsed))
            {
                throw new WhiskerQueryException("sortBy", value, "unknown sortBy value (one of " + WhiskerNames.Allowed(WhiskerNames.SortBys) + ")");
            }

            sortBy.Add(parsed);
        }

        return new WhiskerFlowsQuery(
            Watch: Bool(query, "watch"),
            StartTimeGte: Int(query, "startTimeGte"),
            StartTimeLt: Int(query, "startTimeLt"),
            Page: NonNegative(query, "page"),
            PageSize: NonNegative(query, "pageSize"),
            SortBy: sortBy,
            Filter: Filters(query));
    }

    public static FilterHintsRequest ParseFilterHints(IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        string? type = First(query, "type");
        if (type is null)
        {
            throw new WhiskerQueryException("type", "", "type is required (one of " + WhiskerNames.Allowed(WhiskerNames.FilterTypes) + ")");
        }

        if (!WhiskerNames.TryParse(WhiskerNames.FilterTypes, type, out var filterType))
        {
            throw new WhiskerQueryException("type", type, "unknown filter type (one of " + WhiskerNames.Allowed(WhiskerNames.FilterTypes) + ")");
        }

        return new FilterHintsRequest
        {
            Type = filterType,
            Filter = Filters(query),
            Page = NonNegative(query, "page"),
            PageSize = NonNegative(query, "pageSize"),
        };
    }

    /// <summary>The <c>filters</c> JSON as Goldmane's <see cref="Filter"/> (whisker-backend's toProtoFilter).</summary>
    public static Filter Filters(IQueryCollection query)
    {
        string? raw = First(query, "filters");
        if (raw is null)
        {
            return new Filter();
        }

        // Upstream unescapes the already-decoded value once more (url.QueryUnescape) before parsing it.
        string json = WebUtility.UrlDecode(raw);
        WhiskerFilters? filters;
        try
        {
            filters = JsonSerializer.Deserialize(json, WhiskerJsonContext.Default.WhiskerFilters);
        }
        catch (JsonException e)
        {
            throw new WhiskerQueryException("filters", raw, "not the filters JSON: " + e.Message);
        }

        return filters is null ? new Filter() : ToProto(filters, raw);
    }

    public static Filter ToProto(WhiskerFilters filters, string raw)
    {
        ArgumentNullException.ThrowIfNull(filters);
        var filter = new Filter();
        AddStrings(filter.SourceNames, filters.SourceNames, WhiskerFlowMapper.ToProtoName, raw, "source_names");
        AddStrings(filter.SourceNamespaces, filters.SourceNamespaces, WhiskerFlowMapper.ToProtoNamespace, raw, "source_namespaces");
        AddStrings(filter.DestNames, filters.DestNames, WhiskerFlowMapper.ToProtoName, raw, "dest_names");
        AddStrings(filter.DestNamespaces, filters.DestNamespaces, WhiskerFlowMapper.ToProtoNamespace, raw, "dest_namespaces");
        AddStrings(filter.Protocols, filters.Protocols, null, raw, "protocols");
        foreach (var port in filters.DestPorts ?? [])
        {
            filter.DestPorts.Add(new PortMatch { Port = port.Value });
        }

        foreach (string action in filters.Actions ?? [])
        {
            filter.Actions.Add(Action(action, raw, "actions"));
        }

        foreach (string action in filters.PendingActions ?? [])
        {
            filter.PendingActions.Add(Action(action, raw, "pending_actions"));
        }

        foreach (var policy in filters.Policies ?? [])
        {
            var kind = PolicyKind.KindUnspecified;
            if (policy.Kind is not null && !WhiskerNames.TryParse(WhiskerNames.PolicyKinds, policy.Kind, out kind))
            {
                throw Unknown(raw, "policies.kind", policy.Kind, WhiskerNames.Allowed(WhiskerNames.PolicyKinds));
            }

            filter.Policies.Add(new PolicyMatch
            {
                Kind = kind,
                Tier = String(policy.Tier, null, raw, "policies.tier"),
                Name = String(policy.Name, null, raw, "policies.name"),
                Namespace = String(policy.Namespace, null, raw, "policies.namespace"),
                Action = policy.Action is null ? GmAction.Unspecified : Action(policy.Action, raw, "policies.action"),
            });
        }

        if (filters.Reporter is not null)
        {
            if (!WhiskerNames.TryParse(WhiskerNames.Reporters, filters.Reporter, out var reporter))
            {
                throw Unknown(raw, "reporter", filters.Reporter, WhiskerNames.Allowed(WhiskerNames.Reporters));
            }

            filter.Reporter = reporter;
        }

        return filter;
    }

    private static void AddStrings(
        Google.Protobuf.Collections.RepeatedField<StringMatch> target, List<WhiskerStringMatch>? matches, Func<string, string>? convert, string raw, string field)
    {
        foreach (var match in matches ?? [])
        {
            target.Add(String(match, convert, raw, field));
        }
    }

    private static StringMatch String(WhiskerStringMatch? match, Func<string, string>? convert, string raw, string field)
    {
        string value = match?.Value ?? "";
        var type = MatchType.Exact;
        if (match?.Type is not null && !WhiskerNames.TryParse(WhiskerNames.MatchTypes, match.Type, out type))
        {
            throw Unknown(raw, field + ".type", match.Type, WhiskerNames.Allowed(WhiskerNames.MatchTypes));
        }

        return new StringMatch { Value = convert is null ? value : convert(value), Type = type };
    }

    private static GmAction Action(string value, string raw, string field) =>
        WhiskerNames.TryParse(WhiskerNames.Actions, value, out var action)
            ? action
            : throw Unknown(raw, field, value, WhiskerNames.Allowed(WhiskerNames.Actions));

    private static WhiskerQueryException Unknown(string raw, string field, string value, string allowed) =>
        new("filters", raw, $"unknown {field} value \"{value}\" (one of {allowed})");

    private static string? First(IQueryCollection query, string name)
    {
        foreach (string? value in query[name])
        {
            if (!string.IsNullOrEmpty(value))
            {
                return value;
            }
        }

        return null;
    }

    private static bool Bool(IQueryCollection query, string name)
    {
        string? value = First(query, name);
        return value switch
        {
            null => false,
            "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
            "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
            _ => throw new WhiskerQueryException(name, value, "not a boolean (true or false)"),
        };
    }

    private static long Int(IQueryCollection query, string name)
    {
        string? value = First(query, name);
        if (value is null)
        {
            return 0;
        }

        return long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long parsed)
            ? parsed
            : throw new WhiskerQueryException(name, value, "not an integer");
    }

    private static long NonNegative(IQueryCollection query, string name)
    {
        long value = Int(query, name);
        return value >= 0 ? value : throw new WhiskerQueryException(name, First(query, name)!, "must not be negative");
    }
}
