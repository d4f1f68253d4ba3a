using Calico.Goldmane.Api;

namespace Calico.Goldmane.Web.Whisker;

/// <summary>GET /flows's parameters (whisker-backend's <c>ListFlowsParams</c>), decoded.</summary>
internal sealed record WhiskerFlowsQuery(
    bool Watch, long StartTimeGte, long StartTimeLt, long Page, long PageSize, IReadOnlyList<SortBy> SortBy, Filter Filter)
{
    /// <summary>The list request. Unlike whisker-backend (which drops them) page and pageSize are passed on.</summary>
    public FlowListRequest ToListRequest()
    {
        var request = new FlowListRequest
        {
            StartTimeGte = StartTimeGte,
            StartTimeLt = StartTimeLt,
            Page = Page,
            PageSize = PageSize,
            Filter = Filter,
        };
        foreach (var sortBy in SortBy)
        {
            request.SortBy.Add(new SortOption { SortBy = sortBy });
        }

        return request;
    }

    /// <summary>The stream request: only the start time and the filter apply, as upstream.</summary>
    public FlowStreamRequest ToStreamRequest() => new() { StartTimeGte = StartTimeGte, Filter = Filter };
}
