using Calico.Goldmane.Api;
using Calico.Goldmane.Store;
using Grpc.Core;

namespace Calico.Goldmane.Services;

/// <summary>Flows.List, Flows.Stream and Flows.FilterHints, answered from the store; a bad request is InvalidArgument.</summary>
public sealed class FlowsService(FlowStore store) : Flows.FlowsBase
{
    public override Task<FlowListResult> List(FlowListRequest request, ServerCallContext context) =>
        Task.FromResult(RpcErrors.Guard(() => store.List(request)));

    public override Task<FilterHintsResult> FilterHints(FilterHintsRequest request, ServerCallContext context) =>
        Task.FromResult(RpcErrors.Guard(() => store.FilterHints(request)));

    public override async Task Stream(FlowStreamRequest request, IServerStreamWriter<FlowResult> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        IAsyncEnumerator<FlowResult> results = store.Stream(request, context.CancellationToken).GetAsyncEnumerator(context.CancellationToken);
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
                catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
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
