using System.Text;
using Calico.Goldmane.Api;
using Grpc.Net.Client;

namespace Calico.Lab.Tests;

/// <summary>
/// The lab's aggregator queried as an operator would: upstream's <c>Flows.List</c> through the client generated
/// from upstream's proto, over the loopback endpoint <c>up</c> printed (so every query also crosses the relay).
/// </summary>
public sealed class FlowsApi : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly Flows.FlowsClient _client;

    public FlowsApi(string grpcEndpoint)
    {
        _channel = GrpcChannel.ForAddress("http://" + grpcEndpoint);
        _client = new Flows.FlowsClient(_channel);
    }

    /// <summary>Every flow the aggregator keeps (whole window, one page).</summary>
    public async Task<IReadOnlyList<Flow>> ListAsync(Filter? filter = null)
    {
        var request = new FlowListRequest { PageSize = 0 };
        if (filter is not null)
        {
            request.Filter = filter;
        }

        var result = await _client.ListAsync(request, deadline: DateTime.UtcNow.AddSeconds(10));
        return [.. result.Flows.Select(f => f.Flow)];
    }

    /// <summary>
    /// Polls <see cref="ListAsync"/> until <paramref name="done"/> holds for the list or <paramref name="deadline"/>
    /// passes; returns the last list (the caller asserts on it). A refused or failed call counts as an empty list.
    /// </summary>
    public async Task<IReadOnlyList<Flow>> PollAsync(Func<IReadOnlyList<Flow>, bool> done, DateTime deadline)
    {
        IReadOnlyList<Flow> last = [];
        while (true)
        {
            try
            {
                last = await ListAsync();
            }
            catch (Grpc.Core.RpcException)
            {
                // The aggregator restarts or is not reachable yet.
                last = [];
            }

            if (done(last) || DateTime.UtcNow >= deadline)
            {
                return last;
            }

            await Task.Delay(500);
        }
    }

    /// <summary>One line per flow, for failure messages.</summary>
    public static string Describe(IEnumerable<Flow> flows)
    {
        var sb = new StringBuilder();
        foreach (var flow in flows)
        {
            var k = flow.Key;
            sb.Append($"  {k.Reporter} {k.SourceType}:{k.SourceNamespace}/{k.SourceName} -> {k.DestType}:{k.DestNamespace}/{k.DestName}:{k.Proto}/{k.DestPort} {k.Action}");
            sb.Append($" enforced [{Trace(k.Policies?.EnforcedPolicies)}] pending [{Trace(k.Policies?.PendingPolicies)}]");
            sb.Append($" pkts in/out {flow.PacketsIn}/{flow.PacketsOut} bytes in/out {flow.BytesIn}/{flow.BytesOut}\n");
        }

        return sb.Length == 0 ? "  (no flows)\n" : sb.ToString();
    }

    public static string Trace(IEnumerable<PolicyHit>? hits) =>
        hits is null ? "" : string.Join(", ", hits.Select(h => $"{h.Kind} {h.Tier}|{h.Namespace}|{h.Name} rule {h.RuleIndex} {h.Action}"));

    public void Dispose() => _channel.Dispose();
}
