using System.Net;
using System.Text.RegularExpressions;
using Calico.Api;

namespace Calico.Felix.Config;

/// <summary>
/// Felix's effective configuration: one typed property per upstream parameter (<c>felix/config/config_params.go</c>).
/// Built only by <see cref="FelixConfigLoader"/>, which first applies upstream's code defaults (not the API doc's).
/// Property names follow the v3 API spelling; <see cref="FelixParams"/> maps each to upstream's parameter name.
/// </summary>
public sealed class FelixConfig
{
    internal FelixConfig()
    {
    }

    // Local-only: environment and config file only.
    public DatastoreType DatastoreType { get; internal set; }
    public string FelixHostname { get; internal set; } = "";
    public string EtcdAddr { get; internal set; } = "";
    public IReadOnlyList<string> EtcdEndpoints { get; internal set; } = [];
    public string EtcdCaFile { get; internal set; } = "";
    public string EtcdCertFile { get; internal set; } = "";
    public string EtcdKeyFile { get; internal set; } = "";
    public string TyphaAddr { get; internal set; } = "";
    public string TyphaK8sServiceName { get; internal set; } = "";
    public string TyphaK8sNamespace { get; internal set; } = "";
    public TimeSpan TyphaReadTimeout { get; internal set; }
    public TimeSpan TyphaWriteTimeout { get; internal set; }
    public string TyphaCaFile { get; internal set; } = "";
    public string TyphaCertFile { get; internal set; } = "";
    public string TyphaKeyFile { get; internal set; } = "";
    public string TyphaCN { get; internal set; } = "";
    public string TyphaUriSan { get; internal set; } = "";

    // Dataplane selection.
    public TimeSpan DataplaneWatchdogTimeout { get; internal set; }
    public NftablesMode NftablesMode { get; internal set; }
    public IptablesBackend IptablesBackend { get; internal set; }
    public bool BpfEnabled { get; internal set; }
    public bool Ipv6Support { get; internal set; }

    // Interfaces and endpoints.
    public IReadOnlyList<string> InterfacePrefix { get; internal set; } = [];
    public IReadOnlyList<Regex> InterfaceExclude { get; internal set; } = [];
    public EndpointToHostAction DefaultEndpointToHostAction { get; internal set; }
    public IReadOnlyList<FailsafePort> FailsafeInboundHostPorts { get; internal set; } = [];
    public IReadOnlyList<FailsafePort> FailsafeOutboundHostPorts { get; internal set; } = [];
    public IReadOnlyList<Port> KubeNodePortRanges { get; internal set; } = [];
    public bool AllowVxlanPacketsFromWorkloads { get; internal set; }
    public bool AllowIpipPacketsFromWorkloads { get; internal set; }
    public WorkloadSourceSpoofing WorkloadSourceSpoofing { get; internal set; }
    public FloatingIps FloatingIps { get; internal set; } = FloatingIps.Disabled;
    public ServiceLoopPrevention ServiceLoopPrevention { get; internal set; }
    public IReadOnlyList<string> ExternalNodesCidrList { get; internal set; } = [];
    public bool DisableConntrackInvalidCheck { get; internal set; }

    // Rule rendering.
    public ChainInsertMode ChainInsertMode { get; internal set; }
    public uint IptablesMarkMask { get; internal set; }
    public uint NftablesMarkMask { get; internal set; }
    public AllowAction IptablesFilterAllowAction { get; internal set; }
    public AllowAction IptablesMangleAllowAction { get; internal set; }
    public DenyAction IptablesFilterDenyAction { get; internal set; }
    public AllowAction NftablesFilterAllowAction { get; internal set; }
    public AllowAction NftablesMangleAllowAction { get; internal set; }
    public DenyAction NftablesFilterDenyAction { get; internal set; }
    public string LogPrefix { get; internal set; } = "";
    public IReadOnlyDictionary<string, string> FeatureDetectOverride { get; internal set; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> FeatureGates { get; internal set; } = new Dictionary<string, string>();
    public int MaxIpsetSize { get; internal set; }

    // Refresh intervals.
    public TimeSpan RouteRefreshInterval { get; internal set; }
    public TimeSpan InterfaceRefreshInterval { get; internal set; }
    public TimeSpan IptablesRefreshInterval { get; internal set; }
    public TimeSpan IptablesPostWriteCheckInterval { get; internal set; }
    public TimeSpan IptablesLockProbeInterval { get; internal set; }
    public TimeSpan IpsetsRefreshInterval { get; internal set; }
    public TimeSpan NftablesRefreshInterval { get; internal set; }
    public TimeSpan XdpRefreshInterval { get; internal set; }
    public TimeSpan NetlinkTimeout { get; internal set; }

    // Routes.
    public IPAddress? DeviceRouteSourceAddress { get; internal set; }
    public IPAddress? DeviceRouteSourceAddressIPv6 { get; internal set; }
    public int DeviceRouteProtocol { get; internal set; }
    public bool RemoveExternalRoutes { get; internal set; }
    public ProgramClusterRoutes ProgramClusterRoutes { get; internal set; }
    public EnabledDisabled IpForwarding { get; internal set; }
    public RouteSource RouteSource { get; internal set; }
    public bool RouteSyncDisabled { get; internal set; }

    // Encapsulation and MTU (null Enabled = derive from IP pools, as upstream).
    public bool? IpipEnabled { get; internal set; }
    public int IpipMtu { get; internal set; }
    public bool? VxlanEnabled { get; internal set; }
    public int VxlanPort { get; internal set; }
    public int VxlanVni { get; internal set; }
    public int VxlanMtu { get; internal set; }
    public int VxlanMtuV6 { get; internal set; }
    public Regex? MtuIfacePattern { get; internal set; }
    public Regex? BpfDataIfacePattern { get; internal set; }
    public bool RequireMtuFile { get; internal set; }
    public bool WireguardEnabled { get; internal set; }
    public bool WireguardEnabledV6 { get; internal set; }
    public int WireguardListeningPort { get; internal set; }
    public int WireguardListeningPortV6 { get; internal set; }
    public int WireguardRoutingRulePriority { get; internal set; }
    public string WireguardInterfaceName { get; internal set; } = "";
    public string WireguardInterfaceNameV6 { get; internal set; } = "";
    public int WireguardMtu { get; internal set; }
    public int WireguardMtuV6 { get; internal set; }
    public bool WireguardHostEncryptionEnabled { get; internal set; }
    public TimeSpan WireguardPersistentKeepAlive { get; internal set; }

    // NAT.
    public IPAddress? NatOutgoingAddress { get; internal set; }
    public Port? NatPortRange { get; internal set; }
    public Port? BpfPsnatPorts { get; internal set; }
    public NatOutgoingExclusions NatOutgoingExclusions { get; internal set; }
    public string IptablesNatOutgoingInterfaceFilter { get; internal set; } = "";
    public AwsSrcDstCheck AwsSrcDstCheck { get; internal set; }

    // Logging.
    public LogSeverity LogSeverityScreen { get; internal set; }
    public LogSeverity LogSeverityFile { get; internal set; }
    public LogSeverity LogSeveritySys { get; internal set; }
    public string LogFilePath { get; internal set; } = "";

    // Health, metrics, status reporting.
    public bool HealthEnabled { get; internal set; }
    public string HealthHost { get; internal set; } = "";
    public int HealthPort { get; internal set; }
    public bool PrometheusMetricsEnabled { get; internal set; }
    public string PrometheusMetricsHost { get; internal set; } = "";
    public int PrometheusMetricsPort { get; internal set; }
    public TimeSpan ReportingInterval { get; internal set; }
    public TimeSpan ReportingTtl { get; internal set; }
    public bool EndpointReportingEnabled { get; internal set; }
    public TimeSpan EndpointReportingDelay { get; internal set; }
    public string EndpointStatusPathPrefix { get; internal set; } = "";

    // Flow logs.
    public TimeSpan FlowLogsFlushInterval { get; internal set; }
    public string FlowLogsGoldmaneServer { get; internal set; } = "";
    public EnabledDisabled FlowLogsLocalReporter { get; internal set; }
    public FlowLogsPolicyEvaluationMode FlowLogsPolicyEvaluationMode { get; internal set; }

    /// <summary>Upstream's <c>FlowLogsEnabled()</c>: a goldmane server or the local reporter is set.</summary>
    public bool FlowLogsEnabled => FlowLogsGoldmaneServer.Length > 0 || FlowLogsLocalReporter == EnabledDisabled.Enabled;
}
