using System.Net.Sockets;

namespace Calico.Api;

/// <summary>
/// The defaulting upstream applies before storing (libcalico-go clientv3, api/pkg/defaults, and CRD
/// defaults for fields the brief names). Idempotent: applying twice changes nothing more.
/// </summary>
public static class ResourceDefaults
{
    public const string LabelTier = "projectcalico.org/tier";
    public const string LabelNamespace = "projectcalico.org/namespace";
    public const string LabelOrchestrator = "projectcalico.org/orchestrator";
    public const string LabelNamespaceName = "kubernetes.io/metadata.name";
    public const string DefaultTierName = "default";

    public static void Apply(Resource r)
    {
        ArgumentNullException.ThrowIfNull(r);
        switch (r)
        {
            case IPPool pool:
                DefaultPool(pool.Spec);
                break;
            case NetworkPolicy np:
                np.Spec.Tier = string.IsNullOrEmpty(np.Spec.Tier) ? DefaultTierName : np.Spec.Tier;
                np.Spec.Types = DefaultTypes(np.Spec.Types, np.Spec.Ingress, np.Spec.Egress);
                SetLabel(np, LabelTier, np.Spec.Tier);
                break;
            case GlobalNetworkPolicy gnp:
                gnp.Spec.Tier = string.IsNullOrEmpty(gnp.Spec.Tier) ? DefaultTierName : gnp.Spec.Tier;
                gnp.Spec.Types = DefaultTypes(gnp.Spec.Types, gnp.Spec.Ingress, gnp.Spec.Egress);
                SetLabel(gnp, LabelTier, gnp.Spec.Tier);
                break;
            case StagedNetworkPolicy snp:
                // clientv3 defaults a staged policy as the enforced one, then drops types for a staged delete.
                snp.Spec.Tier = string.IsNullOrEmpty(snp.Spec.Tier) ? DefaultTierName : snp.Spec.Tier;
                snp.Spec.Types = snp.Spec.StagedAction == "Delete" ? null : DefaultTypes(snp.Spec.Types, snp.Spec.Ingress, snp.Spec.Egress);
                SetLabel(snp, LabelTier, snp.Spec.Tier);
                break;
            case StagedGlobalNetworkPolicy sgnp:
                sgnp.Spec.Tier = string.IsNullOrEmpty(sgnp.Spec.Tier) ? DefaultTierName : sgnp.Spec.Tier;
                sgnp.Spec.Types = sgnp.Spec.StagedAction == "Delete" ? null : DefaultTypes(sgnp.Spec.Types, sgnp.Spec.Ingress, sgnp.Spec.Egress);
                SetLabel(sgnp, LabelTier, sgnp.Spec.Tier);
                break;
            case Tier tier:
                if (string.IsNullOrEmpty(tier.Spec.DefaultAction))
                    tier.Spec.DefaultAction = "Deny";
                break;
            case FelixConfiguration fc:
                DefaultFelix(fc.Spec);
                break;
            case KubeControllersConfiguration kcc:
                DefaultKubeControllers(kcc.Spec);
                break;
            case WorkloadEndpoint wep:
                SetLabel(wep, LabelNamespace, wep.Metadata.Namespace ?? "");
                SetLabel(wep, LabelOrchestrator, wep.Spec.Orchestrator ?? "");
                break;
            case KubernetesNamespace ns when !string.IsNullOrEmpty(ns.Metadata.Name):
                SetLabel(ns, LabelNamespaceName, ns.Metadata.Name);
                break;
            case KubernetesNetworkPolicy knp when knp.Spec.PolicyTypes is not { Count: > 0 }:
                knp.Spec.PolicyTypes = knp.Spec.Egress is { Count: > 0 } ? ["Ingress", "Egress"] : ["Ingress"];
                break;
        }
    }

    private static void DefaultPool(IPPoolSpec spec)
    {
        var parsed = Cidr.TryParse(spec.Cidr, out var net, out var address);
        // An unmasked CIDR is left as written so that validation can still report it.
        if (parsed && address.Equals(net.BaseAddress))
            spec.Cidr = Cidr.Format(net);
        if (string.IsNullOrEmpty(spec.NodeSelector))
            spec.NodeSelector = "all()";
        if (spec.BlockSize is null or 0 && parsed)
            spec.BlockSize = net.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 26 : 122;
        if (spec.AllowedUses is not { Count: > 0 })
            spec.AllowedUses = ["Workload", "Tunnel"];
        spec.AssignmentMode ??= "Automatic";
        if (string.IsNullOrEmpty(spec.IpipMode))
            spec.IpipMode = "Never";
        if (string.IsNullOrEmpty(spec.VxlanMode))
            spec.VxlanMode = "Never";
    }

    /// <summary>api/pkg/defaults: no egress rules means Ingress (even with no rules at all).</summary>
    private static List<string> DefaultTypes(List<string>? types, List<Rule>? ingress, List<Rule>? egress)
    {
        if (types is { Count: > 0 })
            return types;
        if (egress is not { Count: > 0 })
            return ["Ingress"];
        return ingress is not { Count: > 0 } ? ["Egress"] : ["Ingress", "Egress"];
    }

    private static void DefaultFelix(FelixConfigurationSpec spec)
    {
        // etcd mode has no CRD defaulting, so clientv3 fills these in (libcalico-go clientv3/felixconfig.go).
        spec.FloatingIPs ??= "Disabled";
        spec.BpfConnectTimeLoadBalancing ??= "TCP";
        spec.BpfHostNetworkedNATWithoutCTLB ??= "Enabled";
        if (spec.BpfConnectTimeLoadBalancingEnabled is { } ctlb)
        {
            spec.BpfHostNetworkedNATWithoutCTLB = "Disabled";
            spec.BpfConnectTimeLoadBalancing = ctlb ? "Enabled" : "Disabled";
        }
    }

    private static void DefaultKubeControllers(KubeControllersConfigurationSpec spec)
    {
        spec.PrometheusMetricsPort ??= 9094;
        if (spec.Controllers.Node is { } node)
            node.LeakGracePeriod ??= "15m0s";
        if (spec.Controllers.LoadBalancer is { } lb && string.IsNullOrEmpty(lb.AssignIPs))
            lb.AssignIPs = "AllServices";
    }

    private static void SetLabel(Resource r, string key, string value)
    {
        r.Metadata.Labels ??= new Dictionary<string, string>(StringComparer.Ordinal);
        r.Metadata.Labels[key] = value;
    }
}
