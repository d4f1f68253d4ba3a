using Calico.Api;
using Calico.Client;
using Calico.Datastore;
using Calico.KubeControllers.Config;
using Calico.KubeControllers.Health;
using Calico.Observability.Logging;
using Microsoft.Extensions.Logging;

namespace Calico.KubeControllers;

/// <summary>The whole program: arguments and environment in, exit code out (tests run it in-process).</summary>
public static class ControllersCli
{
    public const string Version = "calico-kube-controllers (Calico for etcd v3 and the embedded datastore)";

    private const string Usage = """
        Usage:
          calico-kube-controllers [--status-file <path>] [--lease-duration <duration>]
          calico-kube-controllers check-status (-l | -r) [-f <path>]
          calico-kube-controllers -v | --version

        Runs upstream's node controller for an etcd v3 or embedded datastore (IPAM garbage collection, clean-up after
        deleted nodes, automatic host endpoints) and etcd compaction, configured by KubeControllersConfiguration default
        and upstream's environment overrides. The datastore is chosen as for calico-node: DATASTORE_TYPE, ETCD_ENDPOINTS,
        ETCD_CA_CERT_FILE, ETCD_CERT_FILE, ETCD_KEY_FILE, CALICO_DATASTORE_PATH.

        Options:
          --status-file <path>        status file check-status reads [default: /status/status.json]
          --lease-duration <duration> how long a lease renewal counts; one instance among several is active,
                                      a standby takes over after this long without renewal [default: 15s]
          check-status -l, --live     exit 0 when the running process reports ready (as upstream, same check as -r)
          check-status -r, --ready    exit 0 when every readiness condition is ready
          check-status -f, --file     the status file [default: /status/status.json]
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (args.Count > 0 && args[0] == "check-status")
        {
            return await CheckStatusCommand.RunAsync([.. args.Skip(1)], stdout, TimeProvider.System).ConfigureAwait(false);
        }

        ControllersOptions options;
        EnvironmentSettings settings;
        DatastoreOptions datastore;
        try
        {
            var parsed = ParseArguments(args);
            if (parsed is null)
            {
                await stdout.WriteLineAsync(args.Contains("-h") || args.Contains("--help") ? Usage : Version).ConfigureAwait(false);
                return 0;
            }

            options = parsed;
            settings = EnvironmentSettings.Parse(environment);
            datastore = CalicoApiConfig.LoadFromEnvironment(name => environment.TryGetValue(name, out var v) ? v : null);
        }
        catch (Exception e) when (e is ValidationException or ClientConfigException or ArgumentException)
        {
            await stderr.WriteLineAsync("calico-kube-controllers: " + e.Message).ConfigureAwait(false);
            return 1;
        }

        using var logProvider = new CalicoLoggerProvider(settings.LogSeverity ?? LogSeverity.Info);
        using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logProvider));
        IKeyValueStore store;
        try
        {
            store = DatastoreFactory.Open(datastore, loggerFactory);
        }
        catch (DatastoreConfigurationException e)
        {
            await stderr.WriteLineAsync("calico-kube-controllers: " + e.Message).ConfigureAwait(false);
            return 1;
        }

        await using (store.ConfigureAwait(false))
        {
            var host = new ControllersHost(options, settings, store, logProvider, loggerFactory, TimeProvider.System, stderr);
            return await host.RunAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Null for --version or --help; throws <see cref="ArgumentException"/> naming an unknown flag or a bad value.</summary>
    internal static ControllersOptions? ParseArguments(IReadOnlyList<string> args)
    {
        var options = new ControllersOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string? inline = null;
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=', StringComparison.Ordinal) is > 0 and var eq)
            {
                inline = arg[(eq + 1)..];
                arg = arg[..eq];
            }

            string Value()
            {
                if (inline is not null)
                {
                    return inline;
                }

                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"flag needs an argument: {arg}");
                }

                return args[++i];
            }

            switch (arg)
            {
                case "-v" or "--version" or "-h" or "--help":
                    return null;
                case "--status-file":
                    var path = Value();
                    if (path.Length == 0)
                    {
                        throw new ArgumentException("error with flag --status-file = '' (must name a file)");
                    }

                    options = options with { StatusFile = path };
                    break;
                case "--lease-duration":
                    var text = Value();
                    if (!GoDuration.TryParse(text, out var ns, out var error) || ns < 3_000_000_000L)
                    {
                        throw new ArgumentException($"error with flag --lease-duration = '{text}' ({error ?? "must be at least 3s"})");
                    }

                    options = options with { LeaseDuration = GoDuration.ToTimeSpan(ns) };
                    break;
                default:
                    throw new ArgumentException($"unknown flag: {args[i]} (see --help)");
            }
        }

        return options;
    }
}
