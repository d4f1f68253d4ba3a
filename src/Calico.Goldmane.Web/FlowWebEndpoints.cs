using Calico.Goldmane.Api;
using Microsoft.AspNetCore.Routing;

namespace Calico.Goldmane.Web;

/// <summary>Maps the web view and the whisker-backend-compatible API onto the aggregator's HTTP listener.</summary>
public static class FlowWebEndpoints
{
    /// <summary>Adds the page and API routes; <paramref name="flows"/> is the aggregator's own store.</summary>
    public static void MapFlowWeb(IEndpointRouteBuilder endpoints, IFlowSource flows)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(flows);
    }
}
