using Calico.Goldmane.Api;
using Calico.Goldmane.Store;
using Grpc.Core;
using Microsoft.Extensions.Hosting;

namespace Calico.Goldmane.Services;

/// <summary>Flows.List, Flows.Stream and Flows.FilterHints, answered from the store; a bad request is InvalidArgument.</summary>
public sealed class FlowsService(FlowStore store, IHostApplicationLifetime lifetime) : Flows.FlowsBase
{
    public override Task<FlowListResult> List(FlowListRequest request, ServerCallContext context) =>
        Task.FromResult(RpcErrors.Guard(() => store.List(request)));

    public override Task<FilterHintsResult> FilterHints(FilterHintsRequest request, ServerCallContext context) =>
        Task.FromResult(RpcErrors.Guard(() => store.FilterHints(request)));

    public override async Task Stream(FlowStreamRequest request, IServerStreamWriter<FlowResult> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        // A stream never ends by itself: it ends with the client or when the server stops.
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        IAsyncEnumerator<FlowResult> results = store.Stream(request, ended.Token).GetAsyncEnumerator(ended.Token);
        await using (results.ConfigureAwait(false))
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await results.MoveNextAsync().ConfigureAwait(false);
                }
                catch (ArgumentException e)
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
                }
                catch (StreamLimitException e)
                {
                    throw new RpcException(new Status(StatusCode.ResourceExhausted, e.Message));
                }
                catch (OperationCanceledException) when (ended.IsCancellationRequested)
                {
                    return;
                }

                if (!more)
                {
                    return;
                }

                await responseStream.WriteAsync(results.Current, context.CancellationToken).ConfigureAwait(false);
            }
        }
    }
}
