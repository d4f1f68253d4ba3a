using Calico.Goldmane.Api;
using Calico.Goldmane.Web.Page;
using Calico.Goldmane.Web.Whisker;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Goldmane.Web;

/// <summary>Maps the web view and the whisker-backend-compatible API onto the aggregator's HTTP listener.</summary>
public static class FlowWebEndpoints
{
    /// <summary>
    /// Adds the page (<c>/</c>, <c>/ui/flows.js</c>, <c>/ui/flows.css</c>) and whisker-backend's routes
    /// (<c>/flows</c>, <c>/flows-filter-hints</c>, also under <c>/whisker-backend/</c>, the path upstream's Whisker
    /// front end calls); <paramref name="flows"/> is the aggregator's own store.
    /// </summary>
    public static void MapFlowWeb(IEndpointRouteBuilder endpoints, IFlowSource flows)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(flows);
        ILogger logger = endpoints.ServiceProvider.GetService<ILoggerFactory>()?.CreateLogger("Calico.Goldmane.Web") ?? NullLogger.Instance;

        foreach (var (path, resource, contentType) in FlowPage.Assets)
        {
            RequestDelegate page = context => FlowPage.ServeAsync(context, resource, contentType);
            endpoints.MapGet(path, page);
        }

        RequestDelegate list = context => WhiskerApi.FlowsAsync(context, flows, logger);
        RequestDelegate hints = context => WhiskerApi.FilterHintsAsync(context, flows, logger);
        foreach (string prefix in new[] { "", "/whisker-backend" })
        {
            endpoints.MapGet(prefix + "/flows", list);
            endpoints.MapGet(prefix + "/flows-filter-hints", hints);
        }
    }
}
