// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class FelixConfigurationSpec
{
    [JsonPropertyName("nodeSelector")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NodeSelector { get; set; }

    [JsonPropertyName("useInternalDataplaneDriver")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? UseInternalDataplaneDriver { get; set; }

    [JsonPropertyName("dataplaneDriver")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DataplaneDriver { get; set; }

    [JsonPropertyName("dataplaneWatchdogTimeout")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DataplaneWatchdogTimeout { get; set; }

    [JsonPropertyName("ipv6Support")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Ipv6Support { get; set; }

    [JsonPropertyName("routeRefreshInterval")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RouteRefreshInterval { get; set; }

    [JsonPropertyName("interfaceRefreshInterval")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? InterfaceRefreshInterval { get; set; }

    [JsonPropertyName("iptablesRefreshInterval")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IptablesRefreshInterval { get; set; }

    [JsonPropertyName("iptablesPostWriteCheckInterval")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IptablesPostWriteCheckInterval { get; set; }

    [JsonPropertyName("iptablesLockProbeInterval")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IptablesLockProbeInterval { get; set; }

    [JsonPropertyName("featureDetectOverride")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FeatureDetectOverride { get; set; }

    [JsonPropertyName("featureGates")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FeatureGates { get; set; }

    [JsonPropertyName("ipsetsRefreshInterval")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IpsetsRefreshInterval { get; set; }

    [JsonPropertyName("maxIpsetSize")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? MaxIpsetSize { get; set; }

    [JsonPropertyName("iptablesBackend")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IptablesBackend { get; set; }

    [JsonPropertyName("xdpRefreshInterval")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? XdpRefreshInterval { get; set; }

    [JsonPropertyName("netlinkTimeout")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NetlinkTimeout { get; set; }

    [JsonPropertyName("metadataAddr")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MetadataAddr { get; set; }

    [JsonPropertyName("metadataPort")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? MetadataPort { get; set; }

    [JsonPropertyName("openstackRegion")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? OpenstackRegion { get; set; }

    [JsonPropertyName("interfacePrefix")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? InterfacePrefix { get; set; }

    [JsonPropertyName("interfaceExclude")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? InterfaceExclude { get; set; }

    [JsonPropertyName("chainInsertMode")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ChainInsertMode { get; set; }

    [JsonPropertyName("defaultEndpointToHostAction")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DefaultEndpointToHostAction { get; set; }

    [JsonPropertyName("iptablesFilterAllowAction")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IptablesFilterAllowAction { get; set; }

    [JsonPropertyName("iptablesMangleAllowAction")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IptablesMangleAllowAction { get; set; }

    [JsonPropertyName("iptablesFilterDenyAction")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IptablesFilterDenyAction { get; set; }

    [JsonPropertyName("logPrefix")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LogPrefix { get; set; }

    [JsonPropertyName("logActionRateLimit")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LogActionRateLimit { get; set; }

    [JsonPropertyName("logActionRateLimitBurst")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? LogActionRateLimitBurst { get; set; }

    [JsonPropertyName("logFilePath")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LogFilePath { get; set; }

    [JsonPropertyName("logSeverityFile")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LogSeverityFile { get; set; }

    [JsonPropertyName("logSeverityScreen")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LogSeverityScreen { get; set; }

    [JsonPropertyName("logSeveritySys")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LogSeveritySys { get; set; }

    [JsonPropertyName("logDebugFilenameRegex")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LogDebugFilenameRegex { get; set; }

    [JsonPropertyName("ipipEnabled")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? IpipEnabled { get; set; }

    [JsonPropertyName("ipipMTU")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? IpipMTU { get; set; }

    [JsonPropertyName("vxlanEnabled")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? VxlanEnabled { get; set; }

    [JsonPropertyName("vxlanMTU")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? VxlanMTU { get; set; }

    [JsonPropertyName("vxlanMTUV6")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? VxlanMTUV6 { get; set; }

    [JsonPropertyName("vxlanPort")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? VxlanPort { get; set; }

    [JsonPropertyName("vxlanVNI")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? VxlanVNI { get; set; }

    [JsonPropertyName("allowVXLANPacketsFromWorkloads")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? AllowVXLANPacketsFromWorkloads { get; set; }

    [JsonPropertyName("allowIPIPPacketsFromWorkloads")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? AllowIPIPPacketsFromWorkloads { get; set; }

    [JsonPropertyName("reportingInterval")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ReportingInterval { get; set; }

    [JsonPropertyName("reportingTTL")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ReportingTTL { get; set; }

    [JsonPropertyName("endpointReportingEnabled")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? EndpointReportingEnabled { get; set; }

    [JsonPropertyName("endpointReportingDelay")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? EndpointReportingDelay { get; set; }

    [JsonPropertyName("endpointStatusPathPrefix")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? EndpointStatusPathPrefix { get; set; }

    [JsonPropertyName("iptablesMarkMask")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? IptablesMarkMask { get; set; }

    [JsonPropertyName("disableConntrackInvalidCheck")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? DisableConntrackInvalidCheck { get; set; }

    [JsonPropertyName("healthEnabled")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? HealthEnabled { get; set; }

    [JsonPropertyName("healthHost")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? HealthHost { get; set; }

    [JsonPropertyName("healthPort")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? HealthPort { get; set; }

    [JsonPropertyName("healthTimeoutOverrides")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<HealthTimeoutOverride>? HealthTimeoutOverrides { get; set; }

    [JsonPropertyName("prometheusMetricsEnabled")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? PrometheusMetricsEnabled { get; set; }

    [JsonPropertyName("prometheusMetricsHost")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PrometheusMetricsHost { get; set; }

    [JsonPropertyName("prometheusMetricsPort")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? PrometheusMetricsPort { get; set; }

    [JsonPropertyName("prometheusGoMetricsEnabled")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? PrometheusGoMetricsEnabled { get; set; }

    [JsonPropertyName("prometheusProcessMetricsEnabled")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? PrometheusProcessMetricsEnabled { get; set; }

    [JsonPropertyName("prometheusWireGuardMetricsEnabled")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? PrometheusWireGuardMetricsEnabled { get; set; }

    [JsonPropertyName("prometheusMetricsCAFile")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PrometheusMetricsCAFile { get; set; }

    [JsonPropertyName("prometheusMetricsCertFile")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PrometheusMetricsCertFile { get; set; }

    [JsonPropertyName("prometheusMetricsKeyFile")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PrometheusMetricsKeyFile { get; set; }

    [JsonPropertyName("prometheusMetricsClientAuth")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PrometheusMetricsClientAuth { get; set; }

    [JsonPropertyName("failsafeInboundHostPorts")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<ProtoPort>? FailsafeInboundHostPorts { get; set; }

    [JsonPropertyName("failsafeOutboundHostPorts")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<ProtoPort>? FailsafeOutboundHostPorts { get; set; }

    [JsonPropertyName("kubeNodePortRanges")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<Port>? KubeNodePortRanges { get; set; }

    [JsonPropertyName("policySyncPathPrefix")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PolicySyncPathPrefix { get; set; }

    [JsonPropertyName("usageReportingEnabled")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? UsageReportingEnabled { get; set; }

    [JsonPropertyName("usageReportingInitialDelay")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? UsageReportingInitialDelay { get; set; }

    [JsonPropertyName("usageReportingInterval")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? UsageReportingInterval { get; set; }

    [JsonPropertyName("natPortRange")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Port? NatPortRange { get; set; }

    [JsonPropertyName("natOutgoingAddress")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NatOutgoingAddress { get; set; }

    [JsonPropertyName("natOutgoingExclusions")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NatOutgoingExclusions { get; set; }

    [JsonPropertyName("deviceRouteSourceAddress")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DeviceRouteSourceAddress { get; set; }

    [JsonPropertyName("deviceRouteSourceAddressIPv6")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DeviceRouteSourceAddressIPv6 { get; set; }

    [JsonPropertyName("deviceRouteProtocol")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? DeviceRouteProtocol { get; set; }

    [JsonPropertyName("removeExternalRoutes")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? RemoveExternalRoutes { get; set; }

    [JsonPropertyName("programClusterRoutes")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ProgramClusterRoutes { get; set; }

    [JsonPropertyName("ipForwarding")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IpForwarding { get; set; }

    [JsonPropertyName("externalNodesList")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? ExternalNodesList { get; set; }

    [JsonPropertyName("debugMemoryProfilePath")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DebugMemoryProfilePath { get; set; }

    [JsonPropertyName("debugDisableLogDropping")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? DebugDisableLogDropping { get; set; }

    [JsonPropertyName("debugSimulateCalcGraphHangAfter")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DebugSimulateCalcGraphHangAfter { get; set; }

    [JsonPropertyName("debugSimulateDataplaneHangAfter")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DebugSimulateDataplaneHangAfter { get; set; }

    [JsonPropertyName("debugSimulateDataplaneApplyDelay")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DebugSimulateDataplaneApplyDelay { get; set; }

    [JsonPropertyName("debugHost")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DebugHost { get; set; }

    [JsonPropertyName("debugPort")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? DebugPort { get; set; }

    [JsonPropertyName("iptablesNATOutgoingInterfaceFilter")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IptablesNATOutgoingInterfaceFilter { get; set; }

    [JsonPropertyName("sidecarAccelerationEnabled")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? SidecarAccelerationEnabled { get; set; }

    [JsonPropertyName("xdpEnabled")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? XdpEnabled { get; set; }

    [JsonPropertyName("genericXDPEnabled")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? GenericXDPEnabled { get; set; }

    [JsonPropertyName("nftablesMode")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NftablesMode { get; set; }

    [JsonPropertyName("nftablesFlowTableOffload")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NftablesFlowTableOffload { get; set; }

    [JsonPropertyName("nftablesFlowTableDataIfacePattern")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NftablesFlowTableDataIfacePattern { get; set; }

    [JsonPropertyName("nftablesRefreshInterval")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NftablesRefreshInterval { get; set; }

    [JsonPropertyName("nftablesFilterAllowAction")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NftablesFilterAllowAction { get; set; }

    [JsonPropertyName("nftablesMangleAllowAction")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NftablesMangleAllowAction { get; set; }

    [JsonPropertyName("nftablesFilterDenyAction")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NftablesFilterDenyAction { get; set; }

    [JsonPropertyName("nftablesMarkMask")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? NftablesMarkMask { get; set; }

    [JsonPropertyName("bpfEnabled")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? BpfEnabled { get; set; }

    [JsonPropertyName("bpfOverlayHostSourceIP")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BpfOverlayHostSourceIP { get; set; }

    [JsonPropertyName("bpfDisableUnprivileged")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? BpfDisableUnprivileged { get; set; }

    [JsonPropertyName("bpfJITHardening")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BpfJITHardening { get; set; }

    [JsonPropertyName("bpfLogLevel")]
    public string BpfLogLevel { get; set; } = "";

    [JsonPropertyName("bpfConntrackLogLevel")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BpfConntrackLogLevel { get; set; }

    [JsonPropertyName("bpfConntrackMode")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BpfConntrackMode { get; set; }

    [JsonPropertyName("bpfConntrackTimeouts")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BPFConntrackTimeouts? BpfConntrackTimeouts { get; set; }

    [JsonPropertyName("bpfIPFragTimeout")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BpfIPFragTimeout { get; set; }

    [JsonPropertyName("bpfLogFilters")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? BpfLogFilters { get; set; }

    [JsonPropertyName("bpfCTLBLogFilter")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BpfCTLBLogFilter { get; set; }

    [JsonPropertyName("bpfDataIfacePattern")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BpfDataIfacePattern { get; set; }

    [JsonPropertyName("bpfL3IfacePattern")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BpfL3IfacePattern { get; set; }

    [JsonPropertyName("bpfConnectTimeLoadBalancingEnabled")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? BpfConnectTimeLoadBalancingEnabled { get; set; }

    [JsonPropertyName("bpfConnectTimeLoadBalancing")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BpfConnectTimeLoadBalancing { get; set; }

    [JsonPropertyName("bpfHostNetworkedNATWithoutCTLB")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BpfHostNetworkedNATWithoutCTLB { get; set; }

    [JsonPropertyName("bpfExternalServiceMode")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BpfExternalServiceMode { get; set; }

    [JsonPropertyName("bpfDSROptoutCIDRs")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? BpfDSROptoutCIDRs { get; set; }

    [JsonPropertyName("bpfExtToServiceConnmark")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? BpfExtToServiceConnmark { get; set; }

    [JsonPropertyName("bpfKubeProxyIptablesCleanupEnabled")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? BpfKubeProxyIptablesCleanupEnabled { get; set; }

    [JsonPropertyName("bpfKubeProxyMinSyncPeriod")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BpfKubeProxyMinSyncPeriod { get; set; }

    [JsonPropertyName("bpfKubeProxyHealthzPort")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? BpfKubeProxyHealthzPort { get; set; }

    [JsonPropertyName("bpfPSNATPorts")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Port? BpfPSNATPorts { get; set; }

    [JsonPropertyName("bpfMapSizeNATFrontend")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? BpfMapSizeNATFrontend { get; set; }

    [JsonPropertyName("bpfMapSizeNATBackend")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? BpfMapSizeNATBackend { get; set; }

    [JsonPropertyName("bpfMapSizeNATAffinity")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? BpfMapSizeNATAffinity { get; set; }

    [JsonPropertyName("bpfMapSizeRoute")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? BpfMapSizeRoute { get; set; }

    [JsonPropertyName("bpfMapSizeConntrack")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? BpfMapSizeConntrack { get; set; }

    [JsonPropertyName("bpfMapSizePerCpuConntrack")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? BpfMapSizePerCpuConntrack { get; set; }

    [JsonPropertyName("bpfMapSizeConntrackScaling")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BpfMapSizeConntrackScaling { get; set; }

    [JsonPropertyName("bpfMapSizeConntrackCleanupQueue")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? BpfMapSizeConntrackCleanupQueue { get; set; }

    [JsonPropertyName("bpfMapSizeIPSets")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? BpfMapSizeIPSets { get; set; }

    [JsonPropertyName("bpfMapSizeIfState")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? BpfMapSizeIfState { get; set; }

    [JsonPropertyName("bpfHostConntrackBypass")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? BpfHostConntrackBypass { get; set; }

    [JsonPropertyName("bpfIPFragmentReassemblyEnabled")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? BpfIPFragmentReassemblyEnabled { get; set; }

    [JsonPropertyName("bpfEnforceRPF")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BpfEnforceRPF { get; set; }

    [JsonPropertyName("bpfPolicyDebugEnabled")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? BpfPolicyDebugEnabled { get; set; }

    [JsonPropertyName("bpfForceTrackPacketsFromIfaces")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? BpfForceTrackPacketsFromIfaces { get; set; }

    [JsonPropertyName("bpfDisableGROForIfaces")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BpfDisableGROForIfaces { get; set; }

    [JsonPropertyName("bpfExcludeCIDRsFromNAT")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? BpfExcludeCIDRsFromNAT { get; set; }

    [JsonPropertyName("bpfExportBufferSizeMB")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? BpfExportBufferSizeMB { get; set; }

    [JsonPropertyName("istioAmbientMode")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IstioAmbientMode { get; set; }

    [JsonPropertyName("istioDSCPMark")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dscp? IstioDSCPMark { get; set; }

    [JsonPropertyName("cgroupV2Path")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CgroupV2Path { get; set; }

    [JsonPropertyName("flowLogsPolicyEvaluationMode")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FlowLogsPolicyEvaluationMode { get; set; }

    [JsonPropertyName("bpfRedirectToPeer")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BpfRedirectToPeer { get; set; }

    [JsonPropertyName("bpfAttachType")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BpfAttachType { get; set; }

    [JsonPropertyName("flowLogsFlushInterval")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FlowLogsFlushInterval { get; set; }

    [JsonPropertyName("flowLogsCollectorDebugTrace")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? FlowLogsCollectorDebugTrace { get; set; }

    [JsonPropertyName("flowLogsGoldmaneServer")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FlowLogsGoldmaneServer { get; set; }

    [JsonPropertyName("flowLogsLocalReporter")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FlowLogsLocalReporter { get; set; }

    [JsonPropertyName("bpfProfiling")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BpfProfiling { get; set; }

    [JsonPropertyName("routeSource")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RouteSource { get; set; }

    [JsonPropertyName("routeTableRanges")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<RouteTableIDRange>? RouteTableRanges { get; set; }

    [JsonPropertyName("routeTableRange")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RouteTableRange? RouteTableRange { get; set; }

    [JsonPropertyName("routeSyncDisabled")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? RouteSyncDisabled { get; set; }

    [JsonPropertyName("ipv4NormalRoutePriority")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Ipv4NormalRoutePriority { get; set; }

    [JsonPropertyName("ipv4ElevatedRoutePriority")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Ipv4ElevatedRoutePriority { get; set; }

    [JsonPropertyName("ipv6NormalRoutePriority")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Ipv6NormalRoutePriority { get; set; }

    [JsonPropertyName("ipv6ElevatedRoutePriority")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Ipv6ElevatedRoutePriority { get; set; }

    [JsonPropertyName("liveMigrationRouteConvergenceTime")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LiveMigrationRouteConvergenceTime { get; set; }

    [JsonPropertyName("wireguardEnabled")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? WireguardEnabled { get; set; }

    [JsonPropertyName("wireguardEnabledV6")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? WireguardEnabledV6 { get; set; }

    [JsonPropertyName("wireguardThreadingEnabled")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? WireguardThreadingEnabled { get; set; }

    [JsonPropertyName("wireguardListeningPort")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? WireguardListeningPort { get; set; }

    [JsonPropertyName("wireguardListeningPortV6")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? WireguardListeningPortV6 { get; set; }

    [JsonPropertyName("wireguardRoutingRulePriority")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? WireguardRoutingRulePriority { get; set; }

    [JsonPropertyName("wireguardInterfaceName")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? WireguardInterfaceName { get; set; }

    [JsonPropertyName("wireguardInterfaceNameV6")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? WireguardInterfaceNameV6 { get; set; }

    [JsonPropertyName("wireguardMTU")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? WireguardMTU { get; set; }

    [JsonPropertyName("wireguardMTUV6")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? WireguardMTUV6 { get; set; }

    [JsonPropertyName("wireguardHostEncryptionEnabled")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? WireguardHostEncryptionEnabled { get; set; }

    [JsonPropertyName("wireguardKeepAlive")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? WireguardKeepAlive { get; set; }

    [JsonPropertyName("awsSrcDstCheck")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? AwsSrcDstCheck { get; set; }

    [JsonPropertyName("serviceLoopPrevention")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ServiceLoopPrevention { get; set; }

    [JsonPropertyName("workloadSourceSpoofing")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? WorkloadSourceSpoofing { get; set; }

    [JsonPropertyName("mtuIfacePattern")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MtuIfacePattern { get; set; }

    [JsonPropertyName("floatingIPs")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FloatingIPs { get; set; }

    [JsonPropertyName("localSubnetL2Reachability")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LocalSubnetL2Reachability { get; set; }

    [JsonPropertyName("localSubnetL2ReachabilityRefreshInterval")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LocalSubnetL2ReachabilityRefreshInterval { get; set; }

    [JsonPropertyName("windowsManageFirewallRules")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? WindowsManageFirewallRules { get; set; }

    [JsonPropertyName("goGCThreshold")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? GoGCThreshold { get; set; }

    [JsonPropertyName("goMemoryLimitMB")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? GoMemoryLimitMB { get; set; }

    [JsonPropertyName("goMaxProcs")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? GoMaxProcs { get; set; }

    [JsonPropertyName("requireMTUFile")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? RequireMTUFile { get; set; }

    [JsonPropertyName("bpfMaglevMaxEndpointsPerService")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? BpfMaglevMaxEndpointsPerService { get; set; }

    [JsonPropertyName("bpfMaglevMaxServices")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? BpfMaglevMaxServices { get; set; }
}
