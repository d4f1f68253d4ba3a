namespace Calico.Goldmane.Api;

/// <summary>
/// The aggregator's read side, in the wire's own types: what the gRPC Flows service and the web view
/// (whisker-backend API and page) both answer from, so they can never disagree about a flow.
/// </summary>
public interface IFlowSource
{
    /// <summary>Flows.List: filtered, sorted and paged, as upstream's server does.</summary>
    FlowListResult List(FlowListRequest request);

    /// <summary>Flows.FilterHints: the values seen for one field, narrowed by the other filters.</summary>
    FilterHintsResult FilterHints(FilterHintsRequest request);

    /// <summary>Flows.Stream: matching flows from <c>start_time_gte</c> on, then each new or updated flow as it is aggregated.</summary>
    IAsyncEnumerable<FlowResult> Stream(FlowStreamRequest request, CancellationToken cancellationToken);
}
