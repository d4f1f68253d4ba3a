using Calico.Goldmane.Api;
using Calico.Goldmane.Store;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Calico.Goldmane.Services;

/// <summary>
/// FlowCollector.Connect: each node streams its flows and gets one FlowReceipt per FlowUpdate. The node is the
/// peer's address without its port, so a node that reconnects (new source port) and resends what it sent before is
/// recognised, while the same key from two nodes adds up.
/// </summary>
public sealed partial class FlowCollectorService(FlowStore store, CollectorMetrics metrics, IHostApplicationLifetime lifetime, ILogger<FlowCollectorService> logger)
    : FlowCollector.FlowCollectorBase
{
    public override async Task Connect(IAsyncStreamReader<FlowUpdate> requestStream, IServerStreamWriter<FlowReceipt> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        string node = NodeOf(context.Peer);
        LogConnected(logger, node);
        metrics.Clients.Inc();
        long received = 0;
        // The node's stream ends with the node or when the server stops (the node then reconnects and resends).
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            var receipt = new FlowReceipt();
            await foreach (var update in requestStream.ReadAllAsync(ended.Token).ConfigureAwait(false))
            {
                received++;
                metrics.Received.WithLabels(node).Inc();
                if (update.Flow is not null)
                {
                    store.Ingest(update.Flow, node);
                }

                await responseStream.WriteAsync(receipt, ended.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            // Server stopping: end the call; the client sees the stream close and reconnects to the next instance.
        }
        finally
        {
            metrics.Clients.Dec();
            LogDisconnected(logger, node, received);
        }
    }

    /// <summary>"ipv4:10.0.0.1:5000" or "ipv6:[fd00::1]:5000" -> the address without the port.</summary>
    public static string NodeOf(string peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        int colon = peer.IndexOf(':', StringComparison.Ordinal);
        string address = colon >= 0 && (peer.StartsWith("ipv4:", StringComparison.Ordinal) || peer.StartsWith("ipv6:", StringComparison.Ordinal))
            ? peer[(colon + 1)..]
            : peer;
        int port = address.LastIndexOf(':');
        if (port > 0 && (address[0] != '[' || address[port - 1] == ']'))
        {
            address = address[..port];
        }

        return address.Trim('[', ']');
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection from client {Node}")]
    private static partial void LogConnected(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection from client {Node} completed after {Flows} flow(s)")]
    private static partial void LogDisconnected(ILogger logger, string node, long flows);
}
