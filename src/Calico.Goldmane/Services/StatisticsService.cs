using Calico.Goldmane.Api;
using Calico.Goldmane.Store;
using Grpc.Core;

namespace Calico.Goldmane.Services;

/// <summary>Statistics.List: the store's statistics, one streamed message per policy (or rule).</summary>
public sealed class StatisticsService(FlowStore store) : Statistics.StatisticsBase
{
    public override async Task List(StatisticsRequest request, IServerStreamWriter<StatisticsResult> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        foreach (var result in RpcErrors.Guard(() => store.Statistics(request)))
        {
            await responseStream.WriteAsync(result, context.CancellationToken).ConfigureAwait(false);
        }
    }
}
