using Calico.Felix.Agent;
using Calico.Felix.Config;
using Calico.Felix.FlowLogs;
using Calico.Node.Startup;
using Calico.Observability.Metrics;
using Microsoft.Extensions.Logging;

namespace Calico.Node.FlowLogs;

/// <summary>
/// Flow logs in calico-node, made when the configuration turns them on at start-up (upstream's FlowLogsEnabled: a
/// goldmane server or the local reporter): the tap on the dataplane driver, the identity feed on the syncer, and
/// the collector with its outputs. Changing the flowLogs* settings takes effect at the next start (upstream's
/// Felix restarts itself for them).
/// </summary>
internal sealed partial class FlowLogWiring : IDisposable
{
    private readonly FlowLogCollector _collector;
    private readonly GoldmaneFlowClient? _goldmane;
    private readonly ILogger _logger;

    private FlowLogWiring(IDataplaneDriver driver, FelixConfig config, NodeSettings node, MetricsRegistry registry, ILoggerFactory loggers)
    {
        _logger = loggers.CreateLogger("flow-logs");
        Tap = new FlowLogDataplaneTap(driver);
        var sink = new FlowMetricsSink(new FlowLogMetrics(registry));
        if (config.FlowLogsGoldmaneServer.Length > 0)
        {
            _goldmane = new GoldmaneFlowClient(config.FlowLogsGoldmaneServer, config.TyphaCertFile, config.TyphaKeyFile, config.TyphaCaFile,
                sink, loggers.CreateLogger("flow-logs-goldmane"), TimeProvider.System);
        }

        LocalFlowReporter? local = null;
        if (config.FlowLogsLocalReporter == EnabledDisabled.Enabled)
        {
            string dir = node.Environment.GetValueOrDefault("CALICO_FLOW_LOGS_DIR") is { Length: > 0 } d ? d : LocalFlowReporter.DefaultDirectory;
            local = new LocalFlowReporter(dir, node.NodeName);
        }

        var aggregator = new FlowAggregatorOptions
        {
            PolicyEvaluationMode = config.FlowLogsPolicyEvaluationMode == FlowLogsPolicyEvaluationMode.Continuous
                ? PolicyEvaluationMode.Continuous
                : PolicyEvaluationMode.None,
        };
        var interval = config.FlowLogsFlushInterval > TimeSpan.Zero ? config.FlowLogsFlushInterval : TimeSpan.FromSeconds(300);
        _collector = new FlowLogCollector(new FlowLogCollectorOptions(interval, aggregator), new ProgrammedRules(Tap), Identities,
            _goldmane, local, sink, _logger, TimeProvider.System, new BpfFlowSource(node.BpfRoot));
    }

    /// <summary>The driver to give the agent (programs the kernel, then publishes the state to the collector).</summary>
    public FlowLogDataplaneTap Tap { get; }

    /// <summary>The syncer consumer naming the ends of flows.</summary>
    public FlowLogIdentityFeed Identities { get; } = new();

    public static FlowLogWiring? Create(IDataplaneDriver driver, FelixConfig config, NodeSettings node, MetricsRegistry registry, ILoggerFactory loggers) =>
        config.FlowLogsEnabled ? new FlowLogWiring(driver, config, node, registry, loggers) : null;

    /// <summary>Runs the collector until cancelled; a failure to open the kernel readers is logged, never fatal to calico-node.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Run(() => _collector.RunAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is Linux.NetlinkException or IOException or UnauthorizedAccessException)
        {
            Log.CollectorFailed(_logger, e.Message);
        }
    }

    public void Dispose() => _goldmane?.Dispose();

    private static partial class Log
    {
        [LoggerMessage(10, LogLevel.Error, "Flow logs: the collector stopped ({Reason}); policy enforcement is unaffected, no flows are reported")]
        public static partial void CollectorFailed(ILogger logger, string reason);
    }
}
