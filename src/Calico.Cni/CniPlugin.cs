using Calico.Datastore;
using Calico.Ipam;
using Calico.Linux;
using Microsoft.Extensions.Logging;

namespace Calico.Cni;

/// <summary>
/// The CNI protocol: reads CNI_* and the configuration, dispatches the command, prints the result in the
/// configuration's cniVersion, or an error object with its code. Returns the exit code. Everything the exe does
/// happens here, so tests drive it in-process.
/// </summary>
internal static class CniPlugin
{
    /// <summary>An ADD or DEL that takes longer than this has failed (upstream's IPAM lock waits 90 s).</summary>
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(120);

    public static async Task<int> RunAsync(CniInvocation invocation, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var errorVersion = NetConfParser.TryReadVersion(invocation.Stdin) is { } v && CniVersions.IsSupported(v) ? v : CniVersions.Latest;
        CniLogSink? sink = null;
        var command = "?";
        var phases = CniPhases.From(invocation.Environment);
        phases?.Mark("run");
        try
        {
            var env = CniEnvironment.Parse(invocation.Environment);
            command = env.Command.ToString().ToUpperInvariant();
            if (env.Command == CniCommand.Version)
            {
                invocation.Stdout.Write(CniJson.Version(errorVersion));
                return 0;
            }

            var conf = NetConfParser.Parse(invocation.Stdin);
            phases?.Mark("parsed");
            errorVersion = conf.CniVersion;
            if (env.Command == CniCommand.Check && !CniVersions.HasCheck(conf.CniVersion))
            {
                throw new CniException(CniErrorCodes.IncompatibleVersion, $"CHECK is not defined for cniVersion \"{conf.CniVersion}\" (needs 0.4.0 or later)");
            }

            if (env.Command is CniCommand.Status or CniCommand.Gc && !CniVersions.HasStatusAndGc(conf.CniVersion))
            {
                throw new CniException(CniErrorCodes.IncompatibleVersion, $"{command} is not defined for cniVersion \"{conf.CniVersion}\" (needs 1.1.0)");
            }

            if (!invocation.IsIpam && conf.Ipam.Type.Length == 0 && env.Command is CniCommand.Add)
            {
                throw new CniException(CniErrorCodes.InvalidConfig, "field \"ipam.type\" must be set (calico-ipam)");
            }

            sink = new CniLogSink(invocation.Stderr, conf.LogLevel, conf.LogFilePath);
            using var loggerFactory = new CniLoggerFactory(sink);
            var configLogger = loggerFactory.CreateLogger("Calico.Cni");
            foreach (var (key, why) in conf.Ignored)
            {
                Log.IgnoredKey(configLogger, key, why);
            }

            if (!invocation.IsIpam && env.Command == CniCommand.Add)
            {
                NodeSettings.RequireNodeFiles(conf);
            }

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(s_deadline);
            await using var session = CniSession.Open(conf, env, time, loggerFactory, phases);
            phases?.Mark("opened");
            Log.Invoked(session.Logger, command, env.ContainerId, env.IfName, env.Netns, conf.Name, session.Node);
            var result = await DispatchAsync(invocation.IsIpam, session, deadline.Token).ConfigureAwait(false);
            if (result is not null)
            {
                var json = CniJson.Result(result, conf.CniVersion);
                Log.Result(session.Logger, json);
                invocation.Stdout.Write(json);
                phases?.Mark("result");
            }

            return 0;
        }
        catch (Exception e)
        {
            var error = ToCniException(e, invocation, cancellationToken);
            if (sink is not null)
            {
                Log.Failed(sink.CreateLogger("Calico.Cni"), command, error.Code, error.Message);
            }
            else
            {
                invocation.Stderr.WriteLine($"calico: {command} failed with CNI error {error.Code}: {error.Message}");
            }

            invocation.Stdout.Write(CniJson.Error(errorVersion, error.Code, error.Message, error.Details));
            return 1;
        }
        finally
        {
            sink?.Dispose();
            if (phases is not null)
            {
                phases.Mark("end");
                invocation.Stderr.WriteLine(phases.Format());
            }
        }
    }

    private static async Task<CniResult?> DispatchAsync(bool ipamMode, CniSession session, CancellationToken cancellationToken)
    {
        switch (session.Env.Command)
        {
            case CniCommand.Status:
                await StatusAsync(session, cancellationToken).ConfigureAwait(false);
                return null;
            case CniCommand.Gc:
                await new GarbageCollector(session).CollectAsync(endpoints: !ipamMode, cancellationToken).ConfigureAwait(false);
                return null;
            default:
                break;
        }

        if (ipamMode)
        {
            var ipam = new IpamPlugin(session);
            switch (session.Env.Command)
            {
                case CniCommand.Add:
                    return await ipam.AddAsync(cancellationToken).ConfigureAwait(false);
                case CniCommand.Del:
                    await ipam.DelAsync(cancellationToken).ConfigureAwait(false);
                    return null;
                default:
                    await ipam.CheckAsync(cancellationToken).ConfigureAwait(false);
                    return null;
            }
        }

        var calico = new CalicoPlugin(session);
        switch (session.Env.Command)
        {
            case CniCommand.Add:
                return await calico.AddAsync(cancellationToken).ConfigureAwait(false);
            case CniCommand.Del:
                await calico.DelAsync(cancellationToken).ConfigureAwait(false);
                return null;
            default:
                await calico.CheckAsync(cancellationToken).ConfigureAwait(false);
                return null;
        }
    }

    /// <summary>STATUS: ready when the datastore answers and ClusterInformation says datastoreReady.</summary>
    private static async Task StatusAsync(CniSession session, CancellationToken cancellationToken)
    {
        string? reason;
        try
        {
            reason = await session.NotReadyReasonAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DatastoreUnavailableException e)
        {
            reason = "datastore unreachable: " + e.Message;
        }

        if (reason is not null)
        {
            throw new CniException(CniErrorCodes.PluginNotAvailable, "plugin not available: " + reason);
        }
    }

    /// <summary>The datastore the configuration names, for a timeout message (the configuration may not even parse).</summary>
    private static string DescribeDatastore(CniInvocation invocation)
    {
        try
        {
            var conf = NetConfParser.Parse(invocation.Stdin);
            return conf.DatastoreType is "etcdv3" or "" ? $"etcd at {conf.EtcdEndpoints}" : $"the {conf.DatastoreType} datastore";
        }
        catch (CniException)
        {
            return "the datastore";
        }
    }

    private static CniException ToCniException(Exception e, CniInvocation invocation, CancellationToken cancellationToken) => e switch
    {
        CniException cni => cni,
        DatastoreUnavailableException => new CniException(CniErrorCodes.TryAgainLater, "datastore unavailable, try again later: " + e.Message),
        IpamException => new CniException(CniErrorCodes.AddFailed, "IPAM: " + e.Message),
        NetlinkException => new CniException(CniErrorCodes.AddFailed, "network setup: " + e.Message),
        Calico.Api.ValidationException => new CniException(CniErrorCodes.InvalidConfig, "workload endpoint rejected: " + e.Message),
        OperationCanceledException when cancellationToken.IsCancellationRequested => new CniException(CniErrorCodes.TryAgainLater, "cancelled by the runtime"),
        OperationCanceledException => new CniException(CniErrorCodes.TryAgainLater, $"timed out after {s_deadline.TotalSeconds:0}s waiting for {DescribeDatastore(invocation)}"),
        _ => new CniException(999, $"internal error: {e.GetType().Name}: {e.Message}", e.StackTrace),
    };
}
