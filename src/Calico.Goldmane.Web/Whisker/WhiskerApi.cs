using System.Text;
using System.Text.Json;
using Calico.Goldmane.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Calico.Goldmane.Web.Whisker;

/// <summary>
/// whisker-backend's two routes over <see cref="IFlowSource"/>: <c>GET /flows</c> (a list, or with <c>watch=true</c>
/// a server-sent event stream of one <c>data: {flow}</c> per flow) and <c>GET /flows-filter-hints</c>. Errors are
/// <c>{"error": "..."}</c>: 400 for a bad parameter, 500 when the source fails, as upstream.
/// </summary>
internal static partial class WhiskerApi
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();

    public static async Task FlowsAsync(HttpContext context, IFlowSource flows, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(flows);
        WhiskerFlowsQuery query;
        try
        {
            query = WhiskerQuery.ParseFlows(context.Request.Query);
        }
        catch (WhiskerQueryException e)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, e.Message).ConfigureAwait(false);
            return;
        }

        if (query.Watch)
        {
            await StreamAsync(context, flows, query.ToStreamRequest(), logger).ConfigureAwait(false);
            return;
        }

        FlowListResult result;
        try
        {
            result = flows.List(query.ToListRequest());
        }
        catch (ArgumentException e)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, e.Message).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogSourceFailed(logger, "list flows", e);
            await WriteErrorAsync(context, StatusCodes.Status500InternalServerError, "Internal Server Error").ConfigureAwait(false);
            return;
        }

        var list = new WhiskerList<WhiskerFlow>
        {
            Total = new WhiskerListMeta { TotalPages = result.Meta?.TotalPages ?? 0 },
            Items = result.Flows.Count == 0 ? null : [.. result.Flows.Select(f => WhiskerFlowMapper.ToJson(f.Flow ?? new Flow()))],
        };
        await WriteJsonAsync(context, StatusCodes.Status200OK, list, WhiskerJsonContext.Default.WhiskerListWhiskerFlow).ConfigureAwait(false);
    }

    public static async Task FilterHintsAsync(HttpContext context, IFlowSource flows, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(flows);
        FilterHintsRequest request;
        try
        {
            request = WhiskerQuery.ParseFilterHints(context.Request.Query);
        }
        catch (WhiskerQueryException e)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, e.Message).ConfigureAwait(false);
            return;
        }

        FilterHintsResult result;
        try
        {
            result = flows.FilterHints(request);
        }
        catch (ArgumentException e)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, e.Message).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogSourceFailed(logger, "list filter hints", e);
            await WriteErrorAsync(context, StatusCodes.Status500InternalServerError, "Internal Server Error").ConfigureAwait(false);
            return;
        }

        var hints = new List<WhiskerFilterHint>(result.Hints.Count);
        foreach (var hint in result.Hints)
        {
            string value = request.Type switch
            {
                FilterType.SourceNamespace or FilterType.DestNamespace => WhiskerFlowMapper.FromProtoNamespace(hint.Value),
                FilterType.SourceName or FilterType.DestName => WhiskerFlowMapper.FromProtoName(hint.Value),
                _ => hint.Value,
            };
            hints.Add(new WhiskerFilterHint { Value = value });
        }

        var list = new WhiskerList<WhiskerFilterHint> { Total = new WhiskerListMeta { TotalPages = result.Meta?.TotalPages ?? 0 }, Items = hints };
        await WriteJsonAsync(context, StatusCodes.Status200OK, list, WhiskerJsonContext.Default.WhiskerListWhiskerFilterHint).ConfigureAwait(false);
    }

    private static async Task StreamAsync(HttpContext context, IFlowSource flows, FlowStreamRequest request, ILogger logger)
    {
        // A watch never ends by itself: end it when the client goes away or the aggregator shuts down.
        var stopping = context.RequestServices?.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var cancellationToken = linked.Token;
        var response = context.Response;
        var results = flows.Stream(request, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            // The source checks the request (and its stream limit) before its first wait: a refusal is still an
            // HTTP error, not an empty event stream.
            ValueTask<bool> first = results.MoveNextAsync();
            if (first.IsFaulted)
            {
                try
                {
                    await first.ConfigureAwait(false);
                }
                catch (ArgumentException e)
                {
                    await WriteErrorAsync(context, StatusCodes.Status400BadRequest, e.Message).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogSourceFailed(logger, "stream flows", e);
                    await WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, e.Message).ConfigureAwait(false);
                }

                return;
            }

            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
            bool more = await first.ConfigureAwait(false);
            while (more)
            {
                byte[] json = JsonSerializer.SerializeToUtf8Bytes(WhiskerFlowMapper.ToJson(results.Current.Flow ?? new Flow()), WhiskerJsonContext.Default.WhiskerFlow);
                await response.Body.WriteAsync(DataPrefix, cancellationToken).ConfigureAwait(false);
                await response.Body.WriteAsync(json, cancellationToken).ConfigureAwait(false);
                await response.Body.WriteAsync(EventEnd, cancellationToken).ConfigureAwait(false);
                await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
                more = await results.MoveNextAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away or the server is stopping: the normal end of a watch.
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Headers are sent: as upstream, end the stream (EventSource reconnects) after saying why in the log.
            LogSourceFailed(logger, "stream flows", e);
        }
        finally
        {
            await results.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static Task WriteErrorAsync(HttpContext context, int status, string message) =>
        WriteJsonAsync(context, status, new WhiskerError { Error = message }, WhiskerJsonContext.Default.WhiskerError);

    private static async Task WriteJsonAsync<T>(HttpContext context, int status, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, value, typeInfo, context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes("\n"), context.RequestAborted).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "whisker API: failed to {Operation}")]
    private static partial void LogSourceFailed(ILogger logger, string operation, Exception exception);
}
