using System.Collections.Frozen;
using System.Globalization;
using Calico.Api;
using static Calico.Felix.Config.ParamFlags;
using V = Calico.Felix.Config.ValueParsers;

namespace Calico.Felix.Config;

/// <summary>
/// The parameter table: upstream name, code default (<c>felix/config/config_params.go</c>, not the API doc),
/// type, flags, and the v3 API field each is read from.
/// </summary>
internal static class FelixParams
{
    public static IReadOnlyList<FelixParam> All { get; } =
    [
        // Local-only (datastore connection and identity).
        Enum<DatastoreType>("DatastoreType", "etcdv3", (c, v) => c.DatastoreType = v, null, null, Local | NonZero | DieOnFail),
        Str("FelixHostname", "", V.Hostname, (c, v) => c.FelixHostname = v, null, null, Local | NonZero),
        Str("EtcdAddr", "127.0.0.1:2379", V.Authority, (c, v) => c.EtcdAddr = v, null, null, Local),
        P<IReadOnlyList<string>>("EtcdEndpoints", "", V.EndpointList, (c, v) => c.EtcdEndpoints = v, null, null, Local, zero: []),
        Str("EtcdCaFile", "", V.AnyString, (c, v) => c.EtcdCaFile = v, null, null, Local),
        Str("EtcdCertFile", "", V.AnyString, (c, v) => c.EtcdCertFile = v, null, null, Local),
        Str("EtcdKeyFile", "", V.AnyString, (c, v) => c.EtcdKeyFile = v, null, null, Local),
        Str("TyphaAddr", "", V.Authority, (c, v) => c.TyphaAddr = v, null, null, Local),
        Str("TyphaK8sServiceName", "", V.AnyString, (c, v) => c.TyphaK8sServiceName = v, null, null, Local),
        Str("TyphaK8sNamespace", "kube-system", V.AnyString, (c, v) => c.TyphaK8sNamespace = v, null, null, Local | NonZero),
        Secs("TyphaReadTimeout", "30", (c, v) => c.TyphaReadTimeout = v, null, null, Local),
        Secs("TyphaWriteTimeout", "10", (c, v) => c.TyphaWriteTimeout = v, null, null, Local),
        Str("TyphaCAFile", "", V.AnyString, (c, v) => c.TyphaCaFile = v, null, null, Local),
        Str("TyphaCertFile", "", V.AnyString, (c, v) => c.TyphaCertFile = v, null, null, Local),
        Str("TyphaKeyFile", "", V.AnyString, (c, v) => c.TyphaKeyFile = v, null, null, Local),
        Str("TyphaCN", "", V.AnyString, (c, v) => c.TyphaCN = v, null, null, Local),
        Str("TyphaURISAN", "", V.AnyString, (c, v) => c.TyphaUriSan = v, null, null, Local),

        // Dataplane selection.
        Secs("DataplaneWatchdogTimeout", "90", (c, v) => c.DataplaneWatchdogTimeout = v, "dataplaneWatchdogTimeout", s => s.DataplaneWatchdogTimeout),
        Enum<NftablesMode>("NFTablesMode", "Auto", (c, v) => c.NftablesMode = v, "nftablesMode", s => s.NftablesMode),
        Enum<IptablesBackend>("IptablesBackend", "auto", (c, v) => c.IptablesBackend = v, "iptablesBackend", s => s.IptablesBackend),
        Bool("BPFEnabled", "false", (c, v) => c.BpfEnabled = v, "bpfEnabled", s => B(s.BpfEnabled)),
        P("BPFDataIfacePattern", "^((en|wl|ww|sl|ib)[Popsx].*|(eth|wlan|wwan|bond).*)", V.Regexp, (c, v) => c.BpfDataIfacePattern = v, "bpfDataIfacePattern", s => s.BpfDataIfacePattern),
        Bool("Ipv6Support", "true", (c, v) => c.Ipv6Support = v, "ipv6Support", s => B(s.Ipv6Support)),

        // Interfaces and endpoints.
        P<IReadOnlyList<string>>("InterfacePrefix", "cali", V.IfaceList, (c, v) => c.InterfacePrefix = v, "interfacePrefix", s => s.InterfacePrefix, NonZero | DieOnFail, zero: []),
        P<IReadOnlyList<System.Text.RegularExpressions.Regex>>("InterfaceExclude", "kube-ipvs0", V.IfaceListRegexp, (c, v) => c.InterfaceExclude = v, "interfaceExclude", s => s.InterfaceExclude, zero: []),
        Enum<EndpointToHostAction>("DefaultEndpointToHostAction", "DROP", (c, v) => c.DefaultEndpointToHostAction = v, "defaultEndpointToHostAction", s => s.DefaultEndpointToHostAction, NonZero | DieOnFail),
        P<IReadOnlyList<FailsafePort>>("FailsafeInboundHostPorts", "tcp:22,udp:68,tcp:179,tcp:2379,tcp:2380,tcp:5473,tcp:6443,tcp:6666,tcp:6667", V.PortList, (c, v) => c.FailsafeInboundHostPorts = v, "failsafeInboundHostPorts", s => Ports(s.FailsafeInboundHostPorts), DieOnFail, zero: []),
        P<IReadOnlyList<FailsafePort>>("FailsafeOutboundHostPorts", "udp:53,udp:67,tcp:179,tcp:2379,tcp:2380,tcp:5473,tcp:6443,tcp:6666,tcp:6667", V.PortList, (c, v) => c.FailsafeOutboundHostPorts = v, "failsafeOutboundHostPorts", s => Ports(s.FailsafeOutboundHostPorts), DieOnFail, zero: []),
        P<IReadOnlyList<Port>>("KubeNodePortRanges", "30000:32767", V.PortRangeList, (c, v) => c.KubeNodePortRanges = v, "kubeNodePortRanges", s => Ranges(s.KubeNodePortRanges), zero: []),
        Bool("AllowVXLANPacketsFromWorkloads", "false", (c, v) => c.AllowVxlanPacketsFromWorkloads = v, "allowVXLANPacketsFromWorkloads", s => B(s.AllowVXLANPacketsFromWorkloads)),
        Bool("AllowIPIPPacketsFromWorkloads", "false", (c, v) => c.AllowIpipPacketsFromWorkloads = v, "allowIPIPPacketsFromWorkloads", s => B(s.AllowIPIPPacketsFromWorkloads)),
        Enum<WorkloadSourceSpoofing>("WorkloadSourceSpoofing", "Disabled", (c, v) => c.WorkloadSourceSpoofing = v, "workloadSourceSpoofing", s => s.WorkloadSourceSpoofing),
        Enum<FloatingIps>("FloatingIPs", "Disabled", (c, v) => c.FloatingIps = v, "floatingIPs", s => s.FloatingIPs),
        Enum<ServiceLoopPrevention>("ServiceLoopPrevention", "Drop", (c, v) => c.ServiceLoopPrevention = v, "serviceLoopPrevention", s => s.ServiceLoopPrevention),
        P<IReadOnlyList<string>>("ExternalNodesCIDRList", "", V.CidrList, (c, v) => c.ExternalNodesCidrList = v, "externalNodesList", s => Join(s.ExternalNodesList), DieOnFail, zero: []),
        Bool("DisableConntrackInvalidCheck", "false", (c, v) => c.DisableConntrackInvalidCheck = v, "disableConntrackInvalidCheck", s => B(s.DisableConntrackInvalidCheck)),

        // Rule rendering.
        Enum<ChainInsertMode>("ChainInsertMode", "insert", (c, v) => c.ChainInsertMode = v, "chainInsertMode", s => s.ChainInsertMode, NonZero | DieOnFail),
        P("IptablesMarkMask", "0xffff0000", V.MarkBitmask, (c, v) => c.IptablesMarkMask = v, "iptablesMarkMask", s => I(s.IptablesMarkMask), NonZero | DieOnFail, hasZero: false),
        P("NftablesMarkMask", "0xffff0000", V.MarkBitmask, (c, v) => c.NftablesMarkMask = v, "nftablesMarkMask", s => I(s.NftablesMarkMask), NonZero | DieOnFail, hasZero: false),
        Enum<AllowAction>("IptablesFilterAllowAction", "ACCEPT", (c, v) => c.IptablesFilterAllowAction = v, "iptablesFilterAllowAction", s => s.IptablesFilterAllowAction, NonZero | DieOnFail),
        Enum<AllowAction>("IptablesMangleAllowAction", "ACCEPT", (c, v) => c.IptablesMangleAllowAction = v, "iptablesMangleAllowAction", s => s.IptablesMangleAllowAction, NonZero | DieOnFail),
        Enum<DenyAction>("IptablesFilterDenyAction", "DROP", (c, v) => c.IptablesFilterDenyAction = v, "iptablesFilterDenyAction", s => s.IptablesFilterDenyAction, NonZero | DieOnFail),
        Enum<AllowAction>("NftablesFilterAllowAction", "ACCEPT", (c, v) => c.NftablesFilterAllowAction = v, "nftablesFilterAllowAction", s => s.NftablesFilterAllowAction, NonZero | DieOnFail),
        Enum<AllowAction>("NftablesMangleAllowAction", "ACCEPT", (c, v) => c.NftablesMangleAllowAction = v, "nftablesMangleAllowAction", s => s.NftablesMangleAllowAction, NonZero | DieOnFail),
        Enum<DenyAction>("NftablesFilterDenyAction", "DROP", (c, v) => c.NftablesFilterDenyAction = v, "nftablesFilterDenyAction", s => s.NftablesFilterDenyAction, NonZero | DieOnFail),
        Str("LogPrefix", "calico-packet", V.AnyString, (c, v) => c.LogPrefix = v, "logPrefix", s => s.LogPrefix),
        P<IReadOnlyDictionary<string, string>>("FeatureDetectOverride", "", V.KeyValueList, (c, v) => c.FeatureDetectOverride = v, "featureDetectOverride", s => s.FeatureDetectOverride, zero: FrozenDictionary<string, string>.Empty),
        P<IReadOnlyDictionary<string, string>>("FeatureGates", "", V.KeyValueList, (c, v) => c.FeatureGates = v, "featureGates", s => s.FeatureGates, zero: FrozenDictionary<string, string>.Empty),
        Int("MaxIpsetSize", "1048576", (c, v) => c.MaxIpsetSize = v, "maxIpsetSize", s => I(s.MaxIpsetSize), NonZero),

        // Refresh intervals (code defaults; the API doc differs for several, trap 26).
        Secs("RouteRefreshInterval", "90", (c, v) => c.RouteRefreshInterval = v, "routeRefreshInterval", s => s.RouteRefreshInterval),
        Secs("InterfaceRefreshInterval", "90", (c, v) => c.InterfaceRefreshInterval = v, "interfaceRefreshInterval", s => s.InterfaceRefreshInterval),
        Secs("IptablesRefreshInterval", "180", (c, v) => c.IptablesRefreshInterval = v, "iptablesRefreshInterval", s => s.IptablesRefreshInterval),
        Secs("IptablesPostWriteCheckIntervalSecs", "5", (c, v) => c.IptablesPostWriteCheckInterval = v, "iptablesPostWriteCheckInterval", s => s.IptablesPostWriteCheckInterval),
        P("IptablesLockProbeIntervalMillis", "50", V.Millis, (c, v) => c.IptablesLockProbeInterval = v, "iptablesLockProbeInterval", s => s.IptablesLockProbeInterval),
        Secs("IpsetsRefreshInterval", "90", (c, v) => c.IpsetsRefreshInterval = v, "ipsetsRefreshInterval", s => s.IpsetsRefreshInterval),
        Secs("NftablesRefreshInterval", "180", (c, v) => c.NftablesRefreshInterval = v, "nftablesRefreshInterval", s => s.NftablesRefreshInterval),
        Secs("XDPRefreshInterval", "90", (c, v) => c.XdpRefreshInterval = v, "xdpRefreshInterval", s => s.XdpRefreshInterval),
        Secs("NetlinkTimeoutSecs", "10", (c, v) => c.NetlinkTimeout = v, "netlinkTimeout", s => s.NetlinkTimeout),

        // Routes.
        P("DeviceRouteSourceAddress", "", V.Ipv4, (c, v) => c.DeviceRouteSourceAddress = v, "deviceRouteSourceAddress", s => s.DeviceRouteSourceAddress),
        P("DeviceRouteSourceAddressIPv6", "", V.Ipv6, (c, v) => c.DeviceRouteSourceAddressIPv6 = v, "deviceRouteSourceAddressIPv6", s => s.DeviceRouteSourceAddressIPv6),
        Int("DeviceRouteProtocol", "3", (c, v) => c.DeviceRouteProtocol = v, "deviceRouteProtocol", s => I(s.DeviceRouteProtocol)),
        Bool("RemoveExternalRoutes", "true", (c, v) => c.RemoveExternalRoutes = v, "removeExternalRoutes", s => B(s.RemoveExternalRoutes)),
        Enum<ProgramClusterRoutes>("ProgramClusterRoutes", "EnabledIPIPOnly", (c, v) => c.ProgramClusterRoutes = v, "programClusterRoutes", s => s.ProgramClusterRoutes),
        Enum<EnabledDisabled>("IPForwarding", "Enabled", (c, v) => c.IpForwarding = v, "ipForwarding", s => s.IpForwarding),
        Enum<RouteSource>("RouteSource", "CalicoIPAM", (c, v) => c.RouteSource = v, "routeSource", s => s.RouteSource),
        Bool("RouteSyncDisabled", "false", (c, v) => c.RouteSyncDisabled = v, "routeSyncDisabled", s => B(s.RouteSyncDisabled)),

        // Encapsulation and MTU.
        P("IpInIpEnabled", "", V.OptionalBool, (c, v) => c.IpipEnabled = v, "ipipEnabled", s => B(s.IpipEnabled)),
        Int("IpInIpMtu", "0", (c, v) => c.IpipMtu = v, "ipipMTU", s => I(s.IpipMTU)),
        P("VXLANEnabled", "", V.OptionalBool, (c, v) => c.VxlanEnabled = v, "vxlanEnabled", s => B(s.VxlanEnabled)),
        Int("VXLANPort", "4789", (c, v) => c.VxlanPort = v, "vxlanPort", s => I(s.VxlanPort)),
        Int("VXLANVNI", "4096", (c, v) => c.VxlanVni = v, "vxlanVNI", s => I(s.VxlanVNI)),
        Int("VXLANMTU", "0", (c, v) => c.VxlanMtu = v, "vxlanMTU", s => I(s.VxlanMTU)),
        Int("VXLANMTUV6", "0", (c, v) => c.VxlanMtuV6 = v, "vxlanMTUV6", s => I(s.VxlanMTUV6)),
        P("MTUIfacePattern", "^((en|wl|ww|sl|ib)[Pcopsvx].*|(eth|wlan|wwan).*)", V.Regexp, (c, v) => c.MtuIfacePattern = v, "mtuIfacePattern", s => s.MtuIfacePattern),
        Bool("RequireMTUFile", "false", (c, v) => c.RequireMtuFile = v, "requireMTUFile", s => B(s.RequireMTUFile)),
        Bool("WireguardEnabled", "false", (c, v) => c.WireguardEnabled = v, "wireguardEnabled", s => B(s.WireguardEnabled)),
        Bool("WireguardEnabledV6", "false", (c, v) => c.WireguardEnabledV6 = v, "wireguardEnabledV6", s => B(s.WireguardEnabledV6)),
        Int("WireguardListeningPort", "51820", (c, v) => c.WireguardListeningPort = v, "wireguardListeningPort", s => I(s.WireguardListeningPort)),
        Int("WireguardListeningPortV6", "51821", (c, v) => c.WireguardListeningPortV6 = v, "wireguardListeningPortV6", s => I(s.WireguardListeningPortV6)),
        Int("WireguardRoutingRulePriority", "99", (c, v) => c.WireguardRoutingRulePriority = v, "wireguardRoutingRulePriority", s => I(s.WireguardRoutingRulePriority)),
        Str("WireguardInterfaceName", "wireguard.cali", V.IfaceParam, (c, v) => c.WireguardInterfaceName = v, "wireguardInterfaceName", s => s.WireguardInterfaceName, NonZero),
        Str("WireguardInterfaceNameV6", "wg-v6.cali", V.IfaceParam, (c, v) => c.WireguardInterfaceNameV6 = v, "wireguardInterfaceNameV6", s => s.WireguardInterfaceNameV6, NonZero),
        Int("WireguardMTU", "0", (c, v) => c.WireguardMtu = v, "wireguardMTU", s => I(s.WireguardMTU)),
        Int("WireguardMTUV6", "0", (c, v) => c.WireguardMtuV6 = v, "wireguardMTUV6", s => I(s.WireguardMTUV6)),
        Bool("WireguardHostEncryptionEnabled", "false", (c, v) => c.WireguardHostEncryptionEnabled = v, "wireguardHostEncryptionEnabled", s => B(s.WireguardHostEncryptionEnabled)),
        Secs("WireguardPersistentKeepAlive", "0", (c, v) => c.WireguardPersistentKeepAlive = v, "wireguardKeepAlive", s => s.WireguardKeepAlive),

        // NAT.
        P("NATOutgoingAddress", "", V.Ipv4, (c, v) => c.NatOutgoingAddress = v, "natOutgoingAddress", s => s.NatOutgoingAddress),
        P("NATPortRange", "", V.PortRange, (c, v) => c.NatPortRange = v, "natPortRange", s => s.NatPortRange?.ToString()),
        P("BPFPSNATPorts", "20000:29999", V.PortRange, (c, v) => c.BpfPsnatPorts = v, "bpfPSNATPorts", s => s.BpfPSNATPorts?.ToString()),
        Enum<NatOutgoingExclusions>("NATOutgoingExclusions", "IPPoolsOnly", (c, v) => c.NatOutgoingExclusions = v, "natOutgoingExclusions", s => s.NatOutgoingExclusions),
        Str("IptablesNATOutgoingInterfaceFilter", "", V.IfaceParam, (c, v) => c.IptablesNatOutgoingInterfaceFilter = v, "iptablesNATOutgoingInterfaceFilter", s => s.IptablesNATOutgoingInterfaceFilter),
        Enum<AwsSrcDstCheck>("AWSSrcDstCheck", "DoNothing", (c, v) => c.AwsSrcDstCheck = v, "awsSrcDstCheck", s => s.AwsSrcDstCheck, NonZero),

        // Logging.
        Enum<LogSeverity>("LogSeverityScreen", "INFO", (c, v) => c.LogSeverityScreen = v, "logSeverityScreen", s => s.LogSeverityScreen),
        Enum<LogSeverity>("LogSeverityFile", "INFO", (c, v) => c.LogSeverityFile = v, "logSeverityFile", s => s.LogSeverityFile),
        Enum<LogSeverity>("LogSeveritySys", "INFO", (c, v) => c.LogSeveritySys = v, "logSeveritySys", s => s.LogSeveritySys),
        Str("LogFilePath", "/var/log/calico/felix.log", V.AnyString, (c, v) => c.LogFilePath = v, "logFilePath", s => s.LogFilePath, DieOnFail),

        // Health, metrics, status reporting.
        Bool("HealthEnabled", "false", (c, v) => c.HealthEnabled = v, "healthEnabled", s => B(s.HealthEnabled)),
        Str("HealthHost", "localhost", V.HostAddress, (c, v) => c.HealthHost = v, "healthHost", s => s.HealthHost),
        Int("HealthPort", "9099", (c, v) => c.HealthPort = v, "healthPort", s => I(s.HealthPort), min: 0, max: 65535),
        Bool("PrometheusMetricsEnabled", "false", (c, v) => c.PrometheusMetricsEnabled = v, "prometheusMetricsEnabled", s => B(s.PrometheusMetricsEnabled)),
        Str("PrometheusMetricsHost", "", V.HostAddress, (c, v) => c.PrometheusMetricsHost = v, "prometheusMetricsHost", s => s.PrometheusMetricsHost),
        Int("PrometheusMetricsPort", "9091", (c, v) => c.PrometheusMetricsPort = v, "prometheusMetricsPort", s => I(s.PrometheusMetricsPort), min: 0, max: 65535),
        Secs("ReportingIntervalSecs", "30", (c, v) => c.ReportingInterval = v, "reportingInterval", s => s.ReportingInterval),
        Secs("ReportingTTLSecs", "90", (c, v) => c.ReportingTtl = v, "reportingTTL", s => s.ReportingTTL),
        Bool("EndpointReportingEnabled", "false", (c, v) => c.EndpointReportingEnabled = v, "endpointReportingEnabled", s => B(s.EndpointReportingEnabled)),
        Secs("EndpointReportingDelaySecs", "1", (c, v) => c.EndpointReportingDelay = v, "endpointReportingDelay", s => s.EndpointReportingDelay),
        Str("EndpointStatusPathPrefix", "/var/run/calico", V.AnyString, (c, v) => c.EndpointStatusPathPrefix = v, "endpointStatusPathPrefix", s => s.EndpointStatusPathPrefix),

        // Flow logs (on when a goldmane server or the local reporter is set).
        Secs("FlowLogsFlushInterval", "300", (c, v) => c.FlowLogsFlushInterval = v, "flowLogsFlushInterval", s => s.FlowLogsFlushInterval),
        Str("FlowLogsGoldmaneServer", "", V.Authority, (c, v) => c.FlowLogsGoldmaneServer = v, "flowLogsGoldmaneServer", s => s.FlowLogsGoldmaneServer),
        Enum<EnabledDisabled>("FlowLogsLocalReporter", "Disabled", (c, v) => c.FlowLogsLocalReporter = v, "flowLogsLocalReporter", s => s.FlowLogsLocalReporter),
        Enum<FlowLogsPolicyEvaluationMode>("FlowLogsPolicyEvaluationMode", "Continuous", (c, v) => c.FlowLogsPolicyEvaluationMode = v, "flowLogsPolicyEvaluationMode", s => s.FlowLogsPolicyEvaluationMode),
    ];

    /// <summary>Lookup by lower-cased name, as upstream's <c>knownParams</c>.</summary>
    public static FrozenDictionary<string, FelixParam> ByName { get; } =
        All.ToFrozenDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    private static FelixParam<T> P<T>(
        string name, string defaultRaw, Func<string, Parsed<T>> parse, Action<FelixConfig, T> set,
        string? apiField, Func<FelixConfigurationSpec, string?>? fromSpec, ParamFlags flags = None,
        bool hasZero = true, T zero = default!) =>
        new(name, defaultRaw, parse, set, flags, apiField, fromSpec, hasZero, zero);

    private static FelixParam<bool> Bool(string name, string defaultRaw, Action<FelixConfig, bool> set, string? apiField, Func<FelixConfigurationSpec, string?>? fromSpec) =>
        P(name, defaultRaw, V.Bool, set, apiField, fromSpec);

    private static FelixParam<int> Int(
        string name, string defaultRaw, Action<FelixConfig, int> set, string? apiField, Func<FelixConfigurationSpec, string?>? fromSpec,
        ParamFlags flags = None, long min = int.MinValue, long max = int.MaxValue) =>
        P(name, defaultRaw, V.Int(min, max), set, apiField, fromSpec, flags);

    private static FelixParam<TimeSpan> Secs(
        string name, string defaultRaw, Action<FelixConfig, TimeSpan> set, string? apiField, Func<FelixConfigurationSpec, string?>? fromSpec,
        ParamFlags flags = None) =>
        P(name, defaultRaw, V.Seconds, set, apiField, fromSpec, flags);

    private static FelixParam<string> Str(
        string name, string defaultRaw, Func<string, Parsed<string>> parse, Action<FelixConfig, string> set, string? apiField,
        Func<FelixConfigurationSpec, string?>? fromSpec, ParamFlags flags = None) =>
        P(name, defaultRaw, parse, set, apiField, fromSpec, flags, zero: "");

    // An enum has no meaningful zero value, so "none" is rejected as invalid.
    private static FelixParam<TEnum> Enum<TEnum>(
        string name, string defaultRaw, Action<FelixConfig, TEnum> set, string? apiField, Func<FelixConfigurationSpec, string?>? fromSpec,
        ParamFlags flags = None)
        where TEnum : struct, System.Enum =>
        P(name, defaultRaw, V.OneOf<TEnum>, set, apiField, fromSpec, flags, hasZero: false);

    private static string? B(bool? value) => value switch
    {
        null => null,
        true => "true",
        false => "false",
    };

    private static string? I(long? value) => value?.ToString(CultureInfo.InvariantCulture);

    // Upstream joins a list with commas; an empty list becomes "" and is then ignored like any empty value.
    private static string? Join(List<string>? values) => values is null ? null : string.Join(',', values);

    // An explicit empty list in the API means "no failsafe ports": upstream's update processor sends "none".
    private static string? Ports(List<ProtoPort>? ports)
    {
        if (ports is null)
            return null;
        if (ports.Count == 0)
            return "none";
        return string.Join(',', ports.Select(p =>
            new FailsafePort(string.IsNullOrEmpty(p.Protocol) ? "tcp" : p.Protocol.ToLowerInvariant(), p.Port, string.IsNullOrEmpty(p.Net) ? null : p.Net).ToString()));
    }

    private static string? Ranges(List<Port>? ports) =>
        ports is null ? null : string.Join(',', ports.Select(p => p.ToString()));
}
