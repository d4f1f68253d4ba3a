using Microsoft.Extensions.Logging;

namespace Calico.Datastore.Etcd;

public sealed partial class EtcdKeyValueStore
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "etcd {Operation} {Key} failed at {Endpoint}: {Failure}")]
        public static partial void RequestFailed(ILogger logger, string operation, string key, string endpoint, string failure);

        [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "etcd watch on {Prefix} after revision {Revision} at {Endpoint}")]
        public static partial void WatchStarted(ILogger logger, string prefix, long revision, string endpoint);

        [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "etcd member {Endpoint} skipped for {Seconds}s: {Operation} {Key}: {Failure}")]
        public static partial void EndpointEjected(ILogger logger, string endpoint, string operation, string key, string failure, double seconds);

        [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "etcd {Operation} {Key} retried after {Endpoint}: {Failure}")]
        public static partial void Retrying(ILogger logger, string operation, string key, string endpoint, string failure);

        [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "etcd {Operation} {Key} gave up after {Attempts} attempts against {Endpoints}")]
        public static partial void GaveUp(ILogger logger, string operation, string key, string endpoints, int attempts);

        [LoggerMessage(EventId = 1106, Level = LogLevel.Warning, Message = "etcd watch on {Prefix} at {Endpoint} lost ({Reason}); reopening after revision {Revision}")]
        public static partial void WatchLost(ILogger logger, string prefix, string endpoint, string reason, long revision);

        [LoggerMessage(EventId = 1107, Level = LogLevel.Warning, Message = "etcd {Operation} {Key}: no member of {Endpoints} answers with a leader (quorum lost): {Members}")]
        public static partial void QuorumLost(ILogger logger, string operation, string key, string endpoints, string members);
    }
}
