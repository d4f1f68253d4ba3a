using Calico.Api;
using Calico.Node.Startup;

namespace Calico.Node.Probes;

/// <summary>
/// Upstream's health flags (<c>calico-node -felix-live -bird-live</c>, as manifests up to v3.30 call it, or
/// <c>calico-node health --felix-ready --bird-ready</c>, today's <c>calico component node health</c>): one or two
/// dashes, any combination, plus <c>-threshold-time</c> (Go duration, default 30s) and <c>--state-dir</c> (where
/// BIRD's socket and the nodename file are).
/// </summary>
internal sealed record NodeProbeOptions(
    bool FelixLive,
    bool FelixReady,
    bool BirdLive,
    bool BirdReady,
    bool Bird6Live,
    bool Bird6Ready,
    TimeSpan ThresholdTime,
    string StateDir)
{
    private static readonly string[] Flags = ["felix-live", "felix-ready", "bird-live", "bird-ready", "bird6-live", "bird6-ready"];

    /// <summary>
    /// Null when the arguments ask for no probe (calico-node runs); otherwise the probes. Throws
    /// <see cref="ArgumentException"/> for an argument a probe run does not take.
    /// </summary>
    public static NodeProbeOptions? TryParse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        bool health = args.Count > 0 && args[0] == "health";
        if (!health && !args.Any(a => a.StartsWith('-') && Array.IndexOf(Flags, a.TrimStart('-').Split('=')[0]) >= 0))
        {
            return null;
        }

        var set = new HashSet<string>(StringComparer.Ordinal);
        TimeSpan threshold = TimeSpan.FromSeconds(30);
        string stateDir = NodeSettings.DefaultStateDir;
        for (int i = health ? 1 : 0; i < args.Count; i++)
        {
            string arg = args[i];
            string name = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : arg.StartsWith('-') ? arg[1..] : "";
            string? inline = null;
            if (name.IndexOf('=', StringComparison.Ordinal) is var eq and > 0)
            {
                inline = name[(eq + 1)..];
                name = name[..eq];
            }

            if (Array.IndexOf(Flags, name) >= 0)
            {
                if (inline is not null && inline != "true")
                {
                    throw new ArgumentException($"calico-node: {arg}: a probe flag takes no value");
                }

                set.Add(name);
            }
            else if (name is "threshold-time" or "state-dir")
            {
                string value = inline ?? (i + 1 < args.Count ? args[++i] : throw new ArgumentException($"calico-node: {arg} needs a value"));
                if (name == "state-dir")
                {
                    stateDir = value.Length > 0 ? value : throw new ArgumentException($"calico-node: {arg} needs a value");
                }
                else if (!GoDuration.TryParse(value, out long nanoseconds, out string? error) || nanoseconds <= 0)
                {
                    throw new ArgumentException($"calico-node: -threshold-time='{value}' is not a positive duration (e.g. 30s){(error is null ? "" : ": " + error)}");
                }
                else
                {
                    threshold = GoDuration.ToTimeSpan(nanoseconds);
                }
            }
            else
            {
                throw new ArgumentException($"calico-node: unknown argument '{arg}' for a health check");
            }
        }

        return new NodeProbeOptions(
            set.Contains("felix-live"), set.Contains("felix-ready"), set.Contains("bird-live"), set.Contains("bird-ready"),
            set.Contains("bird6-live"), set.Contains("bird6-ready"), threshold, stateDir);
    }

    public bool Any => FelixLive || FelixReady || BirdLive || BirdReady || Bird6Live || Bird6Ready;
}
