using Calico.Datastore;
using Calico.Datastore.Etcd;
using Microsoft.Extensions.Logging;

namespace Calico.KubeControllers.Controllers;

/// <summary>
/// Upstream's periodic etcd v3 compaction (<c>etcdV3CompactionPeriod</c>, as the Kubernetes API server's compactor
/// kube-controllers reuses): every period, history is compacted up to the revision seen one period earlier, so a
/// watcher less than a period behind never loses its place. Only the active instance runs it.
/// </summary>
internal sealed partial class EtcdCompactor(EtcdKeyValueStore store, ILogger logger, ControllerMetrics? metrics = null)
{
    private long _previousRevision;

    /// <summary>One period's step: compact to the revision recorded last time, then record the current one.</summary>
    public async Task<long?> StepAsync(CancellationToken cancellationToken)
    {
        // A list of a prefix nothing uses costs nothing and returns the store's current revision.
        var current = (await store.ListAsync("/calico/kube-controllers/v1/compaction-probe/", cancellationToken).ConfigureAwait(false)).Revision;
        long? compacted = null;
        if (_previousRevision > 0 && _previousRevision < current)
        {
            try
            {
                await store.CompactAsync(_previousRevision, cancellationToken).ConfigureAwait(false);
                compacted = _previousRevision;
                metrics?.Compacted();
                Log.Compacted(logger, _previousRevision);
            }
            catch (DatastoreUnavailableException e) when (e.ToString().Contains("compacted", StringComparison.OrdinalIgnoreCase))
            {
                // Someone (another compactor, an operator) already compacted past it: nothing to do.
                Log.AlreadyCompacted(logger, _previousRevision);
            }
        }

        _previousRevision = current;
        return compacted;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Compacted etcd history up to revision {Revision}")]
        public static partial void Compacted(ILogger logger, long revision);

        [LoggerMessage(EventId = 401, Level = LogLevel.Debug, Message = "etcd history already compacted past revision {Revision}")]
        public static partial void AlreadyCompacted(ILogger logger, long revision);
    }
}
