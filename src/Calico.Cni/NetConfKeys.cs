namespace Calico.Cni;

/// <summary>
/// Every top-level key <see cref="NetConfParser"/> accepts (upstream's <c>cni-plugin/pkg/types</c> NetConf, ours, and
/// the runtime's), with the decision for each. A key missing here is refused as unknown; a test checks that
/// docs/cni.md lists every row.
/// </summary>
internal static class NetConfKeys
{
    private const string WindowsOnly = "Windows-only (HNS networks); this plugin runs on Linux";
    private const string NoKubernetesClient = "Kubernetes API client tuning; this plugin has no Kubernetes client";

    public static IReadOnlyList<NetConfKey> All { get; } =
    [
        new("cniVersion", NetConfKeyStatus.ActsSomeValuesRefused, "the result's version; unsupported versions are error 1"),
        new("name", NetConfKeyStatus.Acts, "network name: IPAM handle prefix and the profile of non-Kubernetes workloads"),
        new("type", NetConfKeyStatus.Acts, "must be set (the runtime picks the binary by it)"),
        new("ipam", NetConfKeyStatus.ActsSomeValuesRefused, "calico-ipam only; host-local and unknown ipam keys are error 2"),
        new("args", NetConfKeyStatus.Acts, "args.cni: labels, named ports, requested addresses and pools, floating IPs, allowed source prefixes"),
        new("mtu", NetConfKeyStatus.Acts, "the veth MTU (0: calico-node's mtu file beside nodename_file, else the kernel default)"),
        new("num_queues", NetConfKeyStatus.ActsSomeValuesRefused, "veth queues: 0 or 1; more is error 2 (multi-queue veth is not supported)"),
        new("nodename", NetConfKeyStatus.Acts, "this node's name"),
        new("nodename_file", NetConfKeyStatus.Acts, "file with this node's name (written by calico-node); calico-node's mtu file is read from its directory"),
        new("nodename_file_optional", NetConfKeyStatus.Acts, "false: ADD fails with error 11 until nodename_file exists (upstream's check); true or absent: falls back to hostname"),
        new("hostname", NetConfKeyStatus.Acts, "node name fallback after nodename_file (deprecated upstream)"),
        new("ipam_lock_file", NetConfKeyStatus.Acts, "the host-wide IPAM lock"),
        new("require_mtu_file", NetConfKeyStatus.Acts, "true: ADD fails with error 11 until calico-node's mtu file (beside nodename_file) exists (upstream)"),
        new("datastore_type", NetConfKeyStatus.ActsSomeValuesRefused, "etcdv3 or embedded; kubernetes is error 2"),
        new("etcd_endpoints", NetConfKeyStatus.Acts, "etcd URLs"),
        new("etcd_discovery_srv", NetConfKeyStatus.ActsSomeValuesRefused, "SRV discovery is not supported: error 2 unless empty"),
        new("etcd_scheme", NetConfKeyStatus.Acts, "legacy: with etcd_authority, the etcd URL"),
        new("etcd_authority", NetConfKeyStatus.Acts, "legacy: host:port of etcd"),
        new("etcd_key_file", NetConfKeyStatus.Acts, "etcd client key"),
        new("etcd_cert_file", NetConfKeyStatus.Acts, "etcd client certificate"),
        new("etcd_ca_cert_file", NetConfKeyStatus.Acts, "etcd CA bundle"),
        new("datastore_path", NetConfKeyStatus.Acts, "ours: the embedded store's file"),
        new("log_level", NetConfKeyStatus.Acts, "log level of stderr and the log file"),
        new("log_file_path", NetConfKeyStatus.Acts, "the log file"),
        new("log_file_max_size", NetConfKeyStatus.Warned, "no log rotation in this plugin: rotate the log file with logrotate"),
        new("log_file_max_age", NetConfKeyStatus.Warned, "no log rotation in this plugin: rotate the log file with logrotate"),
        new("log_file_max_count", NetConfKeyStatus.Warned, "no log rotation in this plugin: rotate the log file with logrotate"),
        new("policy", NetConfKeyStatus.ActsSomeValuesRefused, "policy.type \"\" or k8s; other types and keys are error 2"),
        new("kubernetes", NetConfKeyStatus.Warned, "no Kubernetes API client: pod labels and ports come from args.cni, not the API server"),
        new("qps", NetConfKeyStatus.Warned, NoKubernetesClient),
        new("burst", NetConfKeyStatus.Warned, NoKubernetesClient),
        new("feature_control", NetConfKeyStatus.ActsSomeValuesRefused, "ip_addrs_no_ipam and floating_ips act; unknown keys are error 2"),
        new("container_settings", NetConfKeyStatus.ActsSomeValuesRefused, "allow_ip_forwarding true and unknown keys are error 2 (containers keep ip_forward off)"),
        new("include_default_routes", NetConfKeyStatus.Warned, "no effect: custom routes (ipam.routes, host-local) are not supported, so the default routes are always installed"),
        new("dataplane_options", NetConfKeyStatus.Refused, "external dataplane drivers (the gRPC dataplane) are not supported: calico-node programs the Linux dataplane"),
        new("device_type", NetConfKeyStatus.ActsSomeValuesRefused, "veth only; netkit is error 2"),
        new("readiness_gates", NetConfKeyStatus.ActsSomeValuesRefused, "readiness gates are not supported: a non-empty list is error 2"),
        new("policy_setup_timeout_seconds", NetConfKeyStatus.Refused, "calico-node does not report per-endpoint programming status, so ADD cannot wait for policy"),
        new("endpoint_status_dir", NetConfKeyStatus.Warned, "only read with policy_setup_timeout_seconds, which is refused"),
        new("mode", NetConfKeyStatus.ActsSomeValuesRefused, "calico-node assigns tunnel addresses here, not the CNI plugin: error 2 unless empty"),
        new("vxlan_mac_prefix", NetConfKeyStatus.Warned, WindowsOnly),
        new("vxlan_vni", NetConfKeyStatus.Warned, WindowsOnly),
        new("calico_api_group", NetConfKeyStatus.ActsSomeValuesRefused, "only the projectcalico.org/v3 API is served: error 2 unless empty"),
        new("dns", NetConfKeyStatus.Acts, "copied into the ADD result's dns (nameservers, domain, search, options)"),
        new("windows_pod_deletion_timestamp_timeout", NetConfKeyStatus.Warned, WindowsOnly),
        new("windows_use_single_network", NetConfKeyStatus.Warned, WindowsOnly),
        new("windows_disable_default_deny_all_policy", NetConfKeyStatus.Warned, WindowsOnly),
        new("windows_loopback_DSR", NetConfKeyStatus.Warned, WindowsOnly),
        new("runtimeConfig", NetConfKeyStatus.Runtime, "runtimeConfig.ips (the ips capability); other capabilities are the runtime's"),
        new("runtime_config", NetConfKeyStatus.Runtime, "older spelling of runtimeConfig"),
        new("prevResult", NetConfKeyStatus.Runtime, "CHECK compares addresses with it"),
        new("capabilities", NetConfKeyStatus.Runtime, "read by the runtime, which passes runtimeConfig"),
        new("disableCheck", NetConfKeyStatus.Runtime, "the runtime skips CHECK"),
        new("disableGC", NetConfKeyStatus.Runtime, "the runtime skips GC"),
    ];

    private static readonly Dictionary<string, NetConfKey> s_byName = All.ToDictionary(k => k.Name, StringComparer.Ordinal);

    public static NetConfKey? Find(string name) => s_byName.GetValueOrDefault(name);
}
