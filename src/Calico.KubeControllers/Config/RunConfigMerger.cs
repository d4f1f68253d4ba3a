using System.Text.Json;
using Calico.Api;
using Calico.Observability.Logging;

namespace Calico.KubeControllers.Config;

/// <summary>
/// Upstream's <c>mergeConfig</c>: environment over resource, giving what runs and the status written back
/// (<c>status.runningConfig</c>, <c>status.environmentVars</c>). Pure. Settings that cannot act here come back as
/// warnings naming the field and why; a value that cannot be used is a <see cref="ValidationException"/>.
/// </summary>
internal static class RunConfigMerger
{
    public sealed record Result(RunConfig Config, KubeControllersConfigurationStatus Status, IReadOnlyList<string> Warnings);

    public static Result Merge(EnvironmentSettings env, KubeControllersConfigurationSpec spec)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(spec);
        var errors = new List<FieldError>();
        var warnings = new List<string>();
        var running = new KubeControllersConfigurationSpec();
        var status = new KubeControllersConfigurationStatus
        {
            RunningConfig = running,
            EnvironmentVars = new Dictionary<string, string>(env.Set, StringComparer.Ordinal),
        };

        // Log level: the environment, else the resource (an unknown level falls back to Info with a warning, as upstream).
        var severity = LogSeverity.Info;
        if (env.LogSeverity is { } fromEnv)
        {
            severity = fromEnv;
        }
        else if (!string.IsNullOrEmpty(spec.LogSeverityScreen))
        {
            try
            {
                severity = LogSeverities.Parse(spec.LogSeverityScreen, "logSeverityScreen");
            }
            catch (FormatException)
            {
                warnings.Add($"logSeverityScreen '{spec.LogSeverityScreen}' is not a log level: using Info");
            }
        }

        running.LogSeverityScreen = severity.ToString();

        bool health = env.Health ?? spec.HealthChecks != "Disabled";
        running.HealthChecks = health ? "Enabled" : "Disabled";

        var compaction = env.EtcdV3CompactionPeriod ?? Duration("spec.etcdV3CompactionPeriod", spec.EtcdV3CompactionPeriod, errors) ?? TimeSpan.FromMinutes(10);
        running.EtcdV3CompactionPeriod = GoDurationText(compaction);

        int port = spec.PrometheusMetricsPort ?? 9094;
        if (port is < 0 or > 65535)
        {
            errors.Add(new FieldError("spec.prometheusMetricsPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "must be between 0 and 65535 (0 disables metrics)"));
        }

        running.PrometheusMetricsPort = port;
        if (spec.DebugProfilePort is > 0)
        {
            warnings.Add("debugProfilePort: Go's pprof server does not exist in this implementation; ignored");
        }

        var controllers = spec.Controllers ?? new ControllersConfig();
        if (env.NodeControllerEnabled is null)
        {
            foreach (var (name, present) in new (string, bool)[]
            {
                ("policy", controllers.Policy is not null),
                ("workloadEndpoint", controllers.WorkloadEndpoint is not null),
                ("serviceAccount", controllers.ServiceAccount is not null),
                ("namespace", controllers.Namespace is not null),
                ("loadBalancer", controllers.LoadBalancer is not null),
            })
            {
                if (present)
                {
                    warnings.Add($"controllers.{name}: not run: {EnvironmentSettings.KubernetesOnlyControllers[name.ToLowerInvariant()]}, which needs the Kubernetes API (this implementation has none)");
                }
            }
        }

        if (env.Reconciler is not null)
        {
            warnings.Add(EnvironmentSettings.ReconcilerPeriod + ": only tunes the Kubernetes-only controllers, which do not run here; ignored");
        }

        NodeControllerConfigRun? node = null;
        bool nodeEnabled = env.NodeControllerEnabled ?? controllers.Node is not null;
        if (nodeEnabled)
        {
            node = MergeNode(env, controllers.Node, running, errors, warnings);
        }

        if (errors.Count > 0)
        {
            throw new ValidationException(errors);
        }

        var config = new RunConfig
        {
            LogSeverityScreen = severity,
            HealthEnabled = health,
            EtcdV3CompactionPeriod = compaction,
            PrometheusMetricsPort = port,
            Node = node,
            Fingerprint = JsonSerializer.Serialize(running, ControllersJsonContext.Default.KubeControllersConfigurationSpec),
        };
        return new Result(config, status, warnings);
    }

    private static NodeControllerConfigRun MergeNode(EnvironmentSettings env, NodeControllerConfig? spec, KubeControllersConfigurationSpec running, List<FieldError> errors, List<string> warnings)
    {
        var runningNode = new NodeControllerConfig();
        running.Controllers.Node = runningNode;

        // Upstream's etcd-mode label sync copies Kubernetes Node labels onto Calico Nodes: no Kubernetes here.
        bool wantsLabelSync = env.SyncLabels ?? spec?.SyncLabels != "Disabled";
        if (wantsLabelSync && (env.SyncLabels is not null || spec?.SyncLabels == "Enabled"))
        {
            warnings.Add("controllers.node.syncLabels: copies Kubernetes Node labels onto Calico Nodes, and there is no Kubernetes API here: label Calico Nodes with calicoctl instead; not run");
        }

        runningNode.SyncLabels = "Disabled";

        var grace = Duration("spec.controllers.node.leakGracePeriod", spec?.LeakGracePeriod, errors) ?? TimeSpan.FromMinutes(15);
        runningNode.LeakGracePeriod = GoDurationText(grace);
        if (spec?.ReconcilerPeriod is not null)
        {
            // Upstream: the node controller does not use a cache, so its reconciler period is not used either.
            _ = Duration("spec.controllers.node.reconcilerPeriod", spec.ReconcilerPeriod, errors);
        }

        bool autoCreate;
        bool createDefault = true;
        List<Template> templates = [];
        if (env.AutoCreateHostEndpoints is { } fromEnv)
        {
            autoCreate = fromEnv;
        }
        else
        {
            var hep = spec?.HostEndpoint;
            autoCreate = hep?.AutoCreate == "Enabled";
            if (hep?.CreateDefaultHostEndpoint is { Length: > 0 } mode)
            {
                createDefault = mode switch
                {
                    "Enabled" => true,
                    "Disabled" => false,
                    _ => Invalid(errors, "spec.controllers.node.hostEndpoint.createDefaultHostEndpoint", mode, "must be Enabled or Disabled"),
                };
            }

            templates = hep?.Templates ?? [];
            for (int i = 0; i < templates.Count; i++)
            {
                ValidateTemplate(templates[i], i, errors);
            }
        }

        runningNode.HostEndpoint = new AutoHostEndpointConfig
        {
            AutoCreate = autoCreate ? "Enabled" : "Disabled",
            CreateDefaultHostEndpoint = createDefault ? "Enabled" : "Disabled",
            Templates = templates.Count > 0 ? [.. templates] : null,
        };

        return new NodeControllerConfigRun
        {
            LeakGracePeriod = grace,
            AutoCreateHostEndpoints = autoCreate,
            CreateDefaultHostEndpoint = createDefault,
            Templates = templates,
        };
    }

    private static void ValidateTemplate(Template template, int index, List<FieldError> errors)
    {
        string at = $"spec.controllers.node.hostEndpoint.templates[{index}]";
        if (string.IsNullOrEmpty(template.GenerateName))
        {
            errors.Add(new FieldError(at + ".generateName", template.GenerateName, "must be set: it names the host endpoints <node>-<generateName>-auto-hep"));
        }

        if (!string.IsNullOrEmpty(template.NodeSelector) && !Selectors.Selector.TryParse(template.NodeSelector, out _, out var selectorError))
        {
            errors.Add(new FieldError(at + ".nodeSelector", template.NodeSelector, selectorError.Message));
        }

        if (!string.IsNullOrEmpty(template.InterfacePattern))
        {
            try
            {
                _ = new System.Text.RegularExpressions.Regex(template.InterfacePattern, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                errors.Add(new FieldError(at + ".interfacePattern", template.InterfacePattern, e.Message));
            }
        }

        foreach (var cidr in template.InterfaceCIDRs ?? [])
        {
            if (!Cidr.TryParse(cidr, out _))
            {
                errors.Add(new FieldError(at + ".interfaceCIDRs", cidr, "is not a CIDR"));
            }
        }
    }

    private static bool Invalid(List<FieldError> errors, string field, string value, string reason)
    {
        errors.Add(new FieldError(field, value, reason));
        return false;
    }

    private static TimeSpan? Duration(string field, string? text, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (!GoDuration.TryParse(text, out var ns, out var error))
        {
            errors.Add(new FieldError(field, text, error));
            return null;
        }

        if (ns < 0)
        {
            errors.Add(new FieldError(field, text, "must not be negative"));
            return null;
        }

        return GoDuration.ToTimeSpan(ns);
    }

    /// <summary>Go's <c>time.Duration.String()</c> for whole seconds and above (what upstream writes back).</summary>
    internal static string GoDurationText(TimeSpan d)
    {
        if (d == TimeSpan.Zero)
        {
            return "0s";
        }

        var text = new System.Text.StringBuilder();
        if (d.TotalHours >= 1)
        {
            text.Append((long)d.TotalHours).Append('h');
        }

        if (d.TotalMinutes >= 1)
        {
            text.Append(d.Minutes).Append('m');
        }

        double seconds = d.Seconds + (d.Milliseconds / 1000.0);
        text.Append(seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('s');
        return text.ToString();
    }
}
