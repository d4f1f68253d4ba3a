using System.Globalization;
using System.Net;
using Calico.Goldmane.Store;
using Calico.Observability.Logging;

namespace Calico.Goldmane.Host;

/// <summary>
/// Command line and environment of the goldmane binary. Flags win over upstream's environment variables (PORT,
/// SERVER_CERT_PATH, SERVER_KEY_PATH, AGGREGATION_WINDOW, LOG_LEVEL); a bad value fails naming the flag (or the
/// variable) and the value.
/// </summary>
public static class GoldmaneCli
{
    public const string Usage = """
        Usage: goldmane [flags]

        The flow aggregator: receives flows from every calico-node over upstream Goldmane's gRPC API
        (FlowCollector.Connect), keeps them in time buckets in memory, and answers Flows.List/Stream/FilterHints
        and Statistics.List on the gRPC port; the web view, /liveness, /readiness and /metrics on the HTTP port.

        Flags (environment variable in brackets, as upstream Goldmane):
          --listen-address ADDR   address both ports bind (default: all addresses)
          --port N                gRPC port (default 7443) [PORT]
          --http-port N           HTTP port: web view, whisker-backend API, health, metrics (default 8081)
          --tls-cert PATH         PEM certificate for the gRPC port; with --tls-key, TLS instead of h2c [SERVER_CERT_PATH]
          --tls-key PATH          PEM private key for --tls-cert [SERVER_KEY_PATH]
          --window DURATION       aggregation bucket width, e.g. 15s, 1m (default 15s) [AGGREGATION_WINDOW]
          --buckets N             buckets kept: history is (N - 2) x window (default 242: 1 h at 15 s)
          --max-flows N           distinct flows kept; new ones beyond are dropped and counted (default 250000)
          --log-level LEVEL       Debug, Info, Warning, Error, Fatal (default Info) [LOG_LEVEL]
          --help                  print this and exit
        """;

    /// <summary>Parses; throws <see cref="ArgumentException"/> naming the flag and the bad value. Null options = --help.</summary>
    public static GoldmaneOptions? Parse(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var values = new Dictionary<string, (string Source, string Value)>(StringComparer.Ordinal);
        void FromEnvironment(string flag, string variable)
        {
            if (environment.TryGetValue(variable, out string? value) && value.Length > 0)
            {
                values[flag] = (variable, value);
            }
        }

        FromEnvironment("--port", "PORT");
        FromEnvironment("--tls-cert", "SERVER_CERT_PATH");
        FromEnvironment("--tls-key", "SERVER_KEY_PATH");
        FromEnvironment("--window", "AGGREGATION_WINDOW");
        FromEnvironment("--log-level", "LOG_LEVEL");

        string[] known = ["--listen-address", "--port", "--http-port", "--tls-cert", "--tls-key", "--window", "--buckets", "--max-flows", "--log-level"];
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg is "--help" or "-h")
            {
                return null;
            }

            string flag = arg;
            string? value = null;
            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                flag = arg[..equals];
                value = arg[(equals + 1)..];
            }

            if (!known.Contains(flag))
            {
                throw new ArgumentException($"{arg}: unknown flag (see goldmane --help)");
            }

            if (value is null)
            {
                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"{flag}: needs a value");
                }

                value = args[++i];
            }

            values[flag] = (flag, value);
        }

        string? Get(string flag) => values.TryGetValue(flag, out var v) ? v.Value : null;
        string SourceOf(string flag) => values[flag].Source;

        int Port(string flag, int fallback)
        {
            if (Get(flag) is not { } text)
            {
                return fallback;
            }

            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is > 0 and < 65536
                ? port
                : throw new ArgumentException($"{SourceOf(flag)}: \"{text}\" is not a port (1-65535)");
        }

        int Positive(string flag, int fallback)
        {
            if (Get(flag) is not { } text)
            {
                return fallback;
            }

            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
                ? n
                : throw new ArgumentException($"{SourceOf(flag)}: \"{text}\" is not a positive whole number");
        }

        IPAddress? address = null;
        if (Get("--listen-address") is { } listen && !IPAddress.TryParse(listen, out address))
        {
            throw new ArgumentException($"--listen-address: \"{listen}\" is not an IP address");
        }

        int windowSeconds = FlowStoreOptions.DefaultBucketSeconds;
        if (Get("--window") is { } window)
        {
            windowSeconds = ParseSeconds(window)
                ?? throw new ArgumentException($"{SourceOf("--window")}: \"{window}\" is not a whole number of seconds (e.g. 15s, 1m, 15)");
        }

        var severity = LogSeverity.Info;
        if (Get("--log-level") is { } level)
        {
            try
            {
                severity = LogSeverities.Parse(level, SourceOf("--log-level"));
            }
            catch (FormatException e)
            {
                throw new ArgumentException(e.Message, e);
            }
        }

        string? cert = Get("--tls-cert");
        string? key = Get("--tls-key");
        if ((cert is null) != (key is null))
        {
            throw new ArgumentException(cert is null
                ? $"--tls-key: \"{key}\" given without --tls-cert (both or neither)"
                : $"--tls-cert: \"{cert}\" given without --tls-key (both or neither)");
        }

        foreach ((string flag, string? path) in new[] { ("--tls-cert", cert), ("--tls-key", key) })
        {
            if (path is not null && !File.Exists(path))
            {
                throw new ArgumentException($"{SourceOf(flag)}: \"{path}\" does not exist");
            }
        }

        var options = new GoldmaneOptions
        {
            ListenAddress = address,
            GrpcPort = Port("--port", GoldmaneOptions.DefaultGrpcPort),
            HttpPort = Port("--http-port", GoldmaneOptions.DefaultHttpPort),
            TlsCert = cert,
            TlsKey = key,
            LogSeverity = severity,
            Store = new FlowStoreOptions
            {
                BucketSeconds = windowSeconds,
                BucketCount = Positive("--buckets", FlowStoreOptions.DefaultBucketCount),
                MaxFlows = Positive("--max-flows", FlowStoreOptions.DefaultMaxFlows),
            },
        };
        if (options.GrpcPort == options.HttpPort)
        {
            throw new ArgumentException($"--http-port: {options.HttpPort} is also the gRPC port (--port); they must differ");
        }

        options.Store.Validate();
        return options;
    }

    /// <summary>"15s", "2m", "1h" or a bare number of seconds; null when not a positive whole number of seconds.</summary>
    internal static int? ParseSeconds(string text)
    {
        int multiplier = 1;
        string digits = text;
        if (text.Length > 1 && char.IsLetter(text[^1]))
        {
            multiplier = text[^1] switch
            {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                _ => 0,
            };
            digits = text[..^1];
        }

        return multiplier > 0
            && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            && n > 0 && n <= int.MaxValue / multiplier
            ? n * multiplier
            : null;
    }
}
