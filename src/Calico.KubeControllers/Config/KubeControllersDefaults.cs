using Calico.Api;

namespace Calico.KubeControllers.Config;

/// <summary>Upstream's <c>NewDefaultKubeControllersConfig</c>: what is created when <c>default</c> does not exist.</summary>
internal static class KubeControllersDefaults
{
    public const string Name = "default";

    public static KubeControllersConfiguration Create()
    {
        var kcc = new KubeControllersConfiguration();
        kcc.Metadata.Name = Name;
        kcc.Spec = new KubeControllersConfigurationSpec
        {
            LogSeverityScreen = "Info",
            HealthChecks = "Enabled",
            EtcdV3CompactionPeriod = "10m0s",
            PrometheusMetricsPort = 9094,
            Controllers = new ControllersConfig
            {
                Node = new NodeControllerConfig
                {
                    ReconcilerPeriod = "5m0s",
                    SyncLabels = "Enabled",
                    HostEndpoint = new AutoHostEndpointConfig { AutoCreate = "Disabled", CreateDefaultHostEndpoint = "Enabled" },
                    LeakGracePeriod = "15m0s",
                },
                Policy = new PolicyControllerConfig { ReconcilerPeriod = "5m0s" },
                WorkloadEndpoint = new WorkloadEndpointControllerConfig { ReconcilerPeriod = "5m0s" },
                ServiceAccount = new ServiceAccountControllerConfig { ReconcilerPeriod = "5m0s" },
                Namespace = new NamespaceControllerConfig { ReconcilerPeriod = "5m0s" },
                LoadBalancer = new LoadBalancerControllerConfig { AssignIPs = "AllServices" },
                Migration = new MigrationControllerConfig { PolicyNameMigrator = "Enabled" },
            },
        };
        return kcc;
    }
}
