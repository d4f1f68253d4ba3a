using Calico.Api;

namespace Calico.KubeControllers.Config;

/// <summary>
/// Upstream's environment overrides (<c>kube-controllers/pkg/config</c>): each, when set, wins over the
/// KubeControllersConfiguration field it shadows and is reported in <c>status.environmentVars</c>.
/// Parsed once at start; a bad value is refused naming the variable and the value.
/// </summary>
internal sealed record EnvironmentSettings
{
    public const string LogLevel = "LOG_LEVEL";
    public const string ReconcilerPeriod = "RECONCILER_PERIOD";
    public const string EnabledControllers = "ENABLED_CONTROLLERS";
    public const string CompactionPeriod = "COMPACTION_PERIOD";
    public const string HealthEnabled = "HEALTH_ENABLED";
    public const string SyncNodeLabels = "SYNC_NODE_LABELS";
    public const string AutoHostEndpoints = "AUTO_HOST_ENDPOINTS";

    /// <summary>Upstream's controllers that sync Kubernetes objects into Calico: nothing to sync from here.</summary>
    public static readonly IReadOnlyDictionary<string, string> KubernetesOnlyControllers = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["policy"] = "it converts Kubernetes NetworkPolicies (calicoctl applies networking.k8s.io/v1 NetworkPolicy directly here)",
        ["namespace"] = "it turns Kubernetes Namespaces into Calico profiles",
        ["profile"] = "it turns Kubernetes Namespaces into Calico profiles",
        ["workloadendpoint"] = "it copies Kubernetes Pod labels onto workload endpoints",
        ["serviceaccount"] = "it turns Kubernetes ServiceAccounts into Calico profiles",
        ["loadbalancer"] = "it assigns addresses to Kubernetes Services of type LoadBalancer",
        ["flannelmigration"] = "it migrates a Kubernetes cluster from Flannel",
    };

    /// <summary>Every variable upstream reads, with its value when set.</summary>
    public IReadOnlyDictionary<string, string> Set { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public Observability.Logging.LogSeverity? LogSeverity { get; init; }

    /// <summary>Null: not set (the resource decides which controllers run); else whether the node controller runs.</summary>
    public bool? NodeControllerEnabled { get; init; }

    public TimeSpan? EtcdV3CompactionPeriod { get; init; }

    public bool? Health { get; init; }

    public bool? SyncLabels { get; init; }

    public bool? AutoCreateHostEndpoints { get; init; }

    /// <summary>Accepted and reported, as upstream; it only tunes the Kubernetes-only controllers.</summary>
    public TimeSpan? Reconciler { get; init; }

    /// <exception cref="ValidationException">A variable has a value upstream would also refuse; the message names both.</exception>
    public static EnvironmentSettings Parse(IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var set = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in (string[])[LogLevel, ReconcilerPeriod, EnabledControllers, CompactionPeriod, HealthEnabled, SyncNodeLabels, AutoHostEndpoints])
        {
            if (environment.TryGetValue(name, out var value))
            {
                set[name] = value;
            }
        }

        var errors = new List<FieldError>();
        Observability.Logging.LogSeverity? severity = null;
        if (set.TryGetValue(LogLevel, out var level))
        {
            try
            {
                severity = Observability.Logging.LogSeverities.Parse(level, LogLevel);
            }
            catch (FormatException)
            {
                errors.Add(new FieldError(LogLevel, level, "must be one of Debug, Info, Warning, Error, Fatal"));
            }
        }

        bool? node = null;
        if (set.TryGetValue(EnabledControllers, out var enabled))
        {
            node = false;
            foreach (var raw in enabled.Split(','))
            {
                var name = raw.Trim();
                if (name == "node")
                {
                    node = true;
                }
                else if (KubernetesOnlyControllers.TryGetValue(name, out var why))
                {
                    errors.Add(new FieldError(EnabledControllers, enabled,
                        $"controller '{name}' needs the Kubernetes API, which this implementation does not have: {why}; only 'node' runs here (IPAM garbage collection, node cleanup, automatic host endpoints)"));
                }
                else
                {
                    errors.Add(new FieldError(EnabledControllers, enabled, $"invalid controller '{name}' (the one controller here is 'node')"));
                }
            }
        }

        var result = new EnvironmentSettings
        {
            Set = set,
            LogSeverity = severity,
            NodeControllerEnabled = node,
            EtcdV3CompactionPeriod = Duration(set, CompactionPeriod, errors),
            Reconciler = Duration(set, ReconcilerPeriod, errors),
            Health = Bool(set, HealthEnabled, errors),
            SyncLabels = Bool(set, SyncNodeLabels, errors),
            AutoCreateHostEndpoints = EnabledDisabled(set, AutoHostEndpoints, errors),
        };
        return errors.Count == 0 ? result : throw new ValidationException(errors);
    }

    /// <summary>A Go duration (<c>time.ParseDuration</c>), never negative.</summary>
    internal static TimeSpan? Duration(IReadOnlyDictionary<string, string> set, string name, List<FieldError> errors)
    {
        if (!set.TryGetValue(name, out var text))
        {
            return null;
        }

        if (!GoDuration.TryParse(text, out var ns, out var error))
        {
            errors.Add(new FieldError(name, text, error));
            return null;
        }

        if (ns < 0)
        {
            errors.Add(new FieldError(name, text, "must not be negative"));
            return null;
        }

        return GoDuration.ToTimeSpan(ns);
    }

    /// <summary>Go's <c>strconv.ParseBool</c>.</summary>
    private static bool? Bool(Dictionary<string, string> set, string name, List<FieldError> errors)
    {
        if (!set.TryGetValue(name, out var text))
        {
            return null;
        }

        switch (text)
        {
            case "1" or "t" or "T" or "TRUE" or "true" or "True":
                return true;
            case "0" or "f" or "F" or "FALSE" or "false" or "False":
                return false;
            default:
                errors.Add(new FieldError(name, text, "must be true or false"));
                return null;
        }
    }

    private static bool? EnabledDisabled(Dictionary<string, string> set, string name, List<FieldError> errors)
    {
        if (!set.TryGetValue(name, out var text))
        {
            return null;
        }

        switch (text.ToLowerInvariant())
        {
            case "enabled":
                return true;
            case "disabled":
                return false;
            default:
                errors.Add(new FieldError(name, text, "must be Enabled or Disabled"));
                return null;
        }
    }
}
