using System.Diagnostics.CodeAnalysis;

namespace Calico.Api;

/// <summary>The kinds this implementation serves, with calicoctl's names and aliases.</summary>
public static class ResourceKinds
{
    private const string V3 = Resource.CalicoApiVersion;

    public static ResourceKind BGPConfiguration { get; } = Calico("BGPConfiguration", "bgpconfigurations", false, "bgpconfiguration", "bgpconfigurations", "bgpconfig", "bgpconfigs");
    // Upstream registers the plural "BGPFilters", lower-cased for its key: /calico/resources/v3/projectcalico.org/bgpfilters/.
    public static ResourceKind BGPFilter { get; } = Calico("BGPFilter", "bgpfilters", false, "bgpfilter", "bgpfilters", "bgpf", "bgpfs", "bf", "bfs");
    public static ResourceKind BGPPeer { get; } = Calico("BGPPeer", "bgppeers", false, "bgppeer", "bgppeers", "bgpp", "bgpps", "bp", "bps");
    public static ResourceKind CalicoNodeStatus { get; } = Calico("CalicoNodeStatus", "caliconodestatuses", false, "caliconodestatus", "caliconodestatuses", "nodestatus", "nodestatuses");
    public static ResourceKind ClusterInformation { get; } = new("ClusterInformation", V3, "clusterinformations", false, ["clusterinformation", "clusterinformations", "clusterinfo", "clusterinfos"], ReadOnly: true);
    public static ResourceKind FelixConfiguration { get; } = Calico("FelixConfiguration", "felixconfigurations", false, "felixconfiguration", "felixconfigurations", "felixconfig", "felixconfigs");
    public static ResourceKind GlobalNetworkPolicy { get; } = Calico("GlobalNetworkPolicy", "globalnetworkpolicies", false, "globalnetworkpolicy", "globalnetworkpolicies", "gnp", "gnps");
    public static ResourceKind GlobalNetworkSet { get; } = Calico("GlobalNetworkSet", "globalnetworksets", false, "globalnetworkset", "globalnetworksets", "gnetsets");
    public static ResourceKind HostEndpoint { get; } = Calico("HostEndpoint", "hostendpoints", false, "hostendpoint", "hostendpoints", "hep", "heps");
    public static ResourceKind IPAMConfiguration { get; } = Calico("IPAMConfiguration", "ipamconfigurations", false, "ipamconfiguration", "ipamconfigurations", "ipamconfig", "ipamconfigs");
    public static ResourceKind IPPool { get; } = Calico("IPPool", "ippools", false, "ippool", "ippools", "ipp", "ipps", "pool", "pools");
    public static ResourceKind IPReservation { get; } = Calico("IPReservation", "ipreservations", false, "ipreservation", "ipreservations", "reservation", "reservations");
    public static ResourceKind KubeControllersConfiguration { get; } = Calico("KubeControllersConfiguration", "kubecontrollersconfigurations", false, "kubecontrollersconfiguration", "kubecontrollersconfigurations", "kubecontrollersconfig", "kubecontrollersconfigs");
    public static ResourceKind NetworkPolicy { get; } = Calico("NetworkPolicy", "networkpolicies", true, "networkpolicy", "networkpolicies", "policy", "np", "policies", "pol", "pols");
    public static ResourceKind NetworkSet { get; } = Calico("NetworkSet", "networksets", true, "networkset", "networksets", "netsets");
    public static ResourceKind Node { get; } = Calico("Node", "nodes", false, "node", "nodes", "no", "nos");
    public static ResourceKind Profile { get; } = Calico("Profile", "profiles", false, "profile", "profiles", "pro", "pros");
    public static ResourceKind StagedGlobalNetworkPolicy { get; } = Calico("StagedGlobalNetworkPolicy", "stagedglobalnetworkpolicies", false, "stagedglobalnetworkpolicy", "stagedglobalnetworkpolicies", "sgnp", "sgnps");
    public static ResourceKind StagedKubernetesNetworkPolicy { get; } = Calico("StagedKubernetesNetworkPolicy", "stagedkubernetesnetworkpolicies", true, "stagedkubernetesnetworkpolicy", "stagedkubernetesnetworkpolicies", "stagedkubernetespolicy", "sknp", "stagedkubernetespolicies", "skpol", "skpols");
    public static ResourceKind StagedNetworkPolicy { get; } = Calico("StagedNetworkPolicy", "stagednetworkpolicies", true, "stagednetworkpolicy", "stagednetworkpolicies", "stagedpolicy", "snp", "stagedpolicies", "spol", "spols");
    public static ResourceKind Tier { get; } = Calico("Tier", "tiers", false, "tier", "tiers");
    public static ResourceKind WorkloadEndpoint { get; } = Calico("WorkloadEndpoint", "workloadendpoints", true, "workloadendpoint", "workloadendpoints", "wep", "weps");

    /// <summary>networking.k8s.io/v1 NetworkPolicy; Kind is "NetworkPolicy" as written in manifests.</summary>
    public static ResourceKind KubernetesNetworkPolicy { get; } = new(
        Api.KubernetesNetworkPolicy.KindName, Api.KubernetesNetworkPolicy.GroupVersion, "networkpolicies", true,
        ["networkpolicy.networking.k8s.io", "networkpolicies.networking.k8s.io", "k8snetworkpolicy", "k8snetworkpolicies", "kubernetesnetworkpolicy", "kubernetesnetworkpolicies"], false);

    /// <summary>core v1 Namespace.</summary>
    public static ResourceKind KubernetesNamespace { get; } = new(
        Api.KubernetesNamespace.KindName, Api.KubernetesNamespace.GroupVersion, "namespaces", false,
        ["namespace", "namespaces", "ns", "kubernetesnamespace"], false);

    public static IReadOnlyList<ResourceKind> All { get; } =
    [
        BGPConfiguration, BGPFilter, BGPPeer, CalicoNodeStatus, ClusterInformation, FelixConfiguration, GlobalNetworkPolicy, GlobalNetworkSet,
        HostEndpoint, IPAMConfiguration, IPPool, IPReservation, KubeControllersConfiguration, NetworkPolicy, NetworkSet,
        Node, Profile, StagedGlobalNetworkPolicy, StagedKubernetesNetworkPolicy, StagedNetworkPolicy, Tier, WorkloadEndpoint, KubernetesNetworkPolicy, KubernetesNamespace,
    ];

    private static readonly Dictionary<string, ResourceKind> s_byName = BuildIndex();

    private static ResourceKind Calico(string kind, string plural, bool namespaced, params string[] aliases) =>
        new(kind, V3, plural, namespaced, aliases, false);

    private static Dictionary<string, ResourceKind> BuildIndex()
    {
        var index = new Dictionary<string, ResourceKind>(StringComparer.OrdinalIgnoreCase);
        foreach (var k in All)
        {
            foreach (var a in k.Aliases)
                index.TryAdd(a, k);
        }
        return index;
    }

    /// <summary>Resolves what a user types after <c>calicoctl get</c>: kind, plural or alias, any case.</summary>
    public static bool TryResolve(string nameOrAlias, [NotNullWhen(true)] out ResourceKind? kind)
    {
        ArgumentNullException.ThrowIfNull(nameOrAlias);
        return s_byName.TryGetValue(nameOrAlias.Trim(), out kind);
    }

    public static ResourceKind Of(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return resource switch
        {
            Api.KubernetesNetworkPolicy => KubernetesNetworkPolicy,
            Api.KubernetesNamespace => KubernetesNamespace,
            _ => TryFromApiVersionKind(V3, resource.GetType().Name, out var k)
                ? k
                : throw new ArgumentException($"resource type '{resource.GetType().Name}' is not supported", nameof(resource)),
        };
    }

    /// <summary>Exact (case-sensitive) match on a document's apiVersion and kind, as the API machinery does.</summary>
    public static bool TryFromApiVersionKind(string apiVersion, string kind, [NotNullWhen(true)] out ResourceKind? resourceKind)
    {
        foreach (var k in All)
        {
            if (string.Equals(k.Kind, kind, StringComparison.Ordinal) && string.Equals(k.ApiVersion, apiVersion, StringComparison.Ordinal))
            {
                resourceKind = k;
                return true;
            }
        }
        resourceKind = null;
        return false;
    }

    internal static Resource Create(ResourceKind kind) => kind.Kind switch
    {
        _ when ReferenceEquals(kind, KubernetesNetworkPolicy) || (kind.ApiVersion == Api.KubernetesNetworkPolicy.GroupVersion && kind.Kind == Api.KubernetesNetworkPolicy.KindName) => new KubernetesNetworkPolicy(),
        _ when kind.ApiVersion == Api.KubernetesNamespace.GroupVersion => new KubernetesNamespace(),
        "BGPConfiguration" => new BGPConfiguration(),
        "BGPFilter" => new BGPFilter(),
        "BGPPeer" => new BGPPeer(),
        "CalicoNodeStatus" => new CalicoNodeStatus(),
        "ClusterInformation" => new ClusterInformation(),
        "FelixConfiguration" => new FelixConfiguration(),
        "GlobalNetworkPolicy" => new GlobalNetworkPolicy(),
        "GlobalNetworkSet" => new GlobalNetworkSet(),
        "HostEndpoint" => new HostEndpoint(),
        "IPAMConfiguration" => new IPAMConfiguration(),
        "IPPool" => new IPPool(),
        "IPReservation" => new IPReservation(),
        "KubeControllersConfiguration" => new KubeControllersConfiguration(),
        "NetworkPolicy" => new NetworkPolicy(),
        "NetworkSet" => new NetworkSet(),
        "Node" => new Node(),
        "Profile" => new Profile(),
        "StagedGlobalNetworkPolicy" => new StagedGlobalNetworkPolicy(),
        "StagedKubernetesNetworkPolicy" => new StagedKubernetesNetworkPolicy(),
        "StagedNetworkPolicy" => new StagedNetworkPolicy(),
        "Tier" => new Tier(),
        "WorkloadEndpoint" => new WorkloadEndpoint(),
        _ => throw new ArgumentException($"resource type '{kind.Kind}' is not supported", nameof(kind)),
    };
}
