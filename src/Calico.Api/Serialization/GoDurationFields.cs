using System.Text.Json.Serialization.Metadata;

namespace Calico.Api.Serialization;

/// <summary>
/// Which model properties are <c>metav1.Duration</c> upstream (the model keeps them as strings): every one gets
/// <see cref="GoDurationConverter"/>. Listed by type and JSON name from upstream's API structs; a name that does
/// not exist on the type fails the first serialization, so the table cannot silently go stale.
/// </summary>
internal static class GoDurationFields
{
    private static readonly Dictionary<Type, string[]> s_fields = new()
    {
        [typeof(FelixConfigurationSpec)] =
        [
            "dataplaneWatchdogTimeout", "routeRefreshInterval", "interfaceRefreshInterval", "iptablesRefreshInterval",
            "iptablesPostWriteCheckInterval", "iptablesLockProbeInterval", "ipsetsRefreshInterval", "xdpRefreshInterval",
            "netlinkTimeout", "reportingInterval", "reportingTTL", "endpointReportingDelay", "usageReportingInitialDelay",
            "usageReportingInterval", "debugSimulateCalcGraphHangAfter", "debugSimulateDataplaneHangAfter",
            "debugSimulateDataplaneApplyDelay", "nftablesRefreshInterval", "bpfIPFragTimeout", "bpfKubeProxyMinSyncPeriod",
            "flowLogsFlushInterval", "liveMigrationRouteConvergenceTime", "wireguardKeepAlive",
            "localSubnetL2ReachabilityRefreshInterval",
        ],
        [typeof(HealthTimeoutOverride)] = ["timeout"],
        [typeof(BGPConfigurationSpec)] = ["nodeMeshMaxRestartTime"],
        [typeof(BGPPeerSpec)] = ["maxRestartTime", "keepaliveTime"],
        [typeof(KubeControllersConfigurationSpec)] = ["etcdV3CompactionPeriod"],
        [typeof(NodeControllerConfig)] = ["reconcilerPeriod", "leakGracePeriod"],
        [typeof(PolicyControllerConfig)] = ["reconcilerPeriod"],
        [typeof(WorkloadEndpointControllerConfig)] = ["reconcilerPeriod"],
        [typeof(ServiceAccountControllerConfig)] = ["reconcilerPeriod"],
        [typeof(NamespaceControllerConfig)] = ["reconcilerPeriod"],
    };

    /// <summary>Every (type, JSON name) that is a Go duration; for tests and documentation.</summary>
    public static IEnumerable<(Type Type, string JsonName)> All =>
        s_fields.SelectMany(kv => kv.Value.Select(name => (kv.Key, name)));

    public static void Apply(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object || !s_fields.TryGetValue(info.Type, out var names))
            return;
        foreach (var name in names)
        {
            var property = info.Properties.FirstOrDefault(p => p.Name == name)
                ?? throw new InvalidOperationException($"{info.Type.Name} has no JSON property '{name}' (GoDurationFields is stale)");
            if (property.PropertyType != typeof(string))
                throw new InvalidOperationException($"{info.Type.Name}.{name} is not a string (GoDurationFields is stale)");
            property.CustomConverter = GoDurationConverter.Instance;
        }
    }
}
