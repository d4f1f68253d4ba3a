using Calico.Ctl.Output;
using Calico.Goldmane.Api;
using Grpc.Core;
using Grpc.Net.Client;

namespace Calico.Ctl.Commands;

/// <summary>
/// <c>calicoctl flows</c>: asks the flow aggregator (goldmane) for recent flows through upstream's
/// <c>Flows.List</c> and prints them newest first. One request per combination of ends the filters need
/// (see <see cref="FlowsOptions.Requests"/>), merged by flow id.
/// </summary>
internal sealed class FlowsRunner(CtlContext context)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    public async Task<int> RunAsync(FlowsOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) };
        using var channel = GrpcChannel.ForAddress(options.ServerUri, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = false });
        var client = new Flows.FlowsClient(channel);
        var merged = new Dictionary<long, Flow>();
        foreach (var request in options.Requests())
        {
            FlowListResult result;
            try
            {
                result = await client.ListAsync(request, deadline: DateTime.UtcNow + Deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                throw new CtlException(Describe(options.Server, e));
            }

            foreach (var flow in result.Flows)
            {
                merged[flow.Id] = flow.Flow ?? new Flow();
            }
        }

        var flows = merged.OrderByDescending(f => f.Value.EndTime).ThenByDescending(f => f.Value.StartTime).ThenByDescending(f => f.Key)
            .Select(f => f.Value).ToList();
        await context.Out.WriteAsync(FlowPrinter.Render(flows, options.Output)).ConfigureAwait(false);
        return 0;
    }

    /// <summary>An RPC failure as a sentence naming the aggregator's address.</summary>
    public static string Describe(string server, RpcException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.StatusCode switch
        {
            StatusCode.Unavailable => $"cannot reach the flow aggregator at {server}: {e.Status.Detail} (is goldmane running? set --server or {FlowsOptions.ServerEnvironment})",
            StatusCode.DeadlineExceeded => $"the flow aggregator at {server} did not answer within {Deadline.TotalSeconds:0}s",
            StatusCode.Unimplemented => $"{server} does not serve the Goldmane Flows API: {e.Status.Detail}",
            _ => $"the flow aggregator at {server} refused the request ({e.StatusCode}): {e.Status.Detail}",
        };
    }
}
