using System.Globalization;
using System.Text.RegularExpressions;

namespace Calico.Api;

/// <summary>
/// Upstream's validation for each kind: libcalico-go's validator (struct tags and struct-level checks),
/// the CEL rules the CRDs carry (which the Go validator also runs in etcd mode), and clientv3's
/// create-time checks. Field names and reasons are upstream's so error text matches calicoctl.
/// </summary>
public static partial class ResourceValidator
{
    private const string NameLabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private const string NameSubdomainFmt = NameLabelFmt + "(\\." + NameLabelFmt + ")*";

    [GeneratedRegex("^" + NameSubdomainFmt + "$")]
    private static partial Regex NameRegex();

    [GeneratedRegex("^" + NameLabelFmt + "$")]
    private static partial Regex TierNameRegex();

    [GeneratedRegex("^((" + NameLabelFmt + ")(\\." + NameLabelFmt + ")?|((?:knp|ossg)\\.default\\.(" + NameSubdomainFmt + ")))$")]
    private static partial Regex NetworkPolicyNameRegex();

    [GeneratedRegex("^(" + NameLabelFmt + "\\.)?" + NameLabelFmt + "$")]
    private static partial Regex GlobalNetworkPolicyNameRegex();

    [GeneratedRegex("^[a-zA-Z0-9_.-]{1,15}$")]
    private static partial Regex InterfaceRegex();

    [GeneratedRegex("^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$")]
    private static partial Regex ContainerIdRegex();

    [GeneratedRegex("^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex LabelKeyNameRegex();

    [GeneratedRegex("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")]
    private static partial Regex LabelValueRegex();

    [GeneratedRegex("^[a-zA-Z0-9_.*-]{1,15}$")]
    private static partial Regex BgpFilterInterfaceRegex();

    [GeneratedRegex("^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$")]
    private static partial Regex MacRegex();

    /// <summary>Throws <see cref="ValidationException"/> listing every problem found.</summary>
    public static void Validate(Resource r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var errors = new Errors();
        switch (r)
        {
            case IPPool pool:
                ValidateMeta(errors, r);
                ValidateIPPool(errors, pool);
                break;
            case IPReservation res:
                ValidateMeta(errors, r);
                ForEach(res.Spec.ReservedCIDRs, c => CheckCidr(errors, "ReservedCIDRs", c));
                break;
            case NetworkPolicy np:
                ValidateNetworkPolicy(errors, np);
                break;
            case GlobalNetworkPolicy gnp:
                ValidateGlobalNetworkPolicy(errors, gnp);
                break;
            case Tier tier:
                ValidateTier(errors, tier);
                break;
            case NetworkSet ns:
                ValidateMeta(errors, r);
                CheckReservedNetworkSetLabel(errors, r);
                ForEach(ns.Spec.Nets, c => CheckCidr(errors, "Nets", c));
                break;
            case GlobalNetworkSet gns:
                ValidateMeta(errors, r);
                CheckReservedNetworkSetLabel(errors, r);
                ForEach(gns.Spec.Nets, c => CheckCidr(errors, "Nets", c));
                break;
            case Profile profile:
                ValidateMeta(errors, r);
                ValidateRules(errors, profile.Spec.Ingress, "Ingress");
                ValidateRules(errors, profile.Spec.Egress, "Egress");
                ValidateLabels(errors, profile.Spec.LabelsToApply, "LabelsToApply");
                break;
            case WorkloadEndpoint wep:
                ValidateMeta(errors, r);
                ValidateWorkloadEndpoint(errors, wep);
                break;
            case HostEndpoint hep:
                ValidateMeta(errors, r);
                ValidateHostEndpoint(errors, hep);
                break;
            case Node node:
                ValidateMeta(errors, r);
                ValidateNode(errors, node);
                break;
            case FelixConfiguration fc:
                ValidateMeta(errors, r);
                ValidateFelixConfiguration(errors, fc);
                break;
            case BGPConfiguration bgp:
                ValidateMeta(errors, r);
                ValidateBgpConfiguration(errors, bgp);
                break;
            case BGPPeer peer:
                ValidateMeta(errors, r);
                ValidateBgpPeer(errors, peer);
                break;
            case IPAMConfiguration ipam:
                ValidateMeta(errors, r);
                if (r.Metadata.Name != "default")
                    errors.Add("Metadata.Name", r.Metadata.Name, "IPAMConfiguration name must be 'default'");
                if (ipam.Spec.MaxBlocksPerHost is < 0)
                    errors.Add("MaxBlocksPerHost", Str(ipam.Spec.MaxBlocksPerHost), "must be greater than or equal to 0");
                break;
            case KubeControllersConfiguration kcc:
                ValidateMeta(errors, r);
                if (r.Metadata.Name != "default")
                    errors.Add("Metadata.Name", r.Metadata.Name, "KubeControllersConfiguration name must be 'default'");
                ValidateKubeControllers(errors, kcc.Spec);
                if (kcc.Spec.PrometheusMetricsPort is < 0 or > 65535)
                    errors.Add("PrometheusMetricsPort", Str(kcc.Spec.PrometheusMetricsPort), "must be a valid port number");
                break;
            case ClusterInformation:
                ValidateMeta(errors, r);
                break;
            case KubernetesNetworkPolicy:
            case KubernetesNamespace:
                ValidateMeta(errors, r);
                break;
            case StagedNetworkPolicy snp:
                ValidateStagedNetworkPolicy(errors, snp);
                break;
            case StagedGlobalNetworkPolicy sgnp:
                ValidateStagedGlobalNetworkPolicy(errors, sgnp);
                break;
            case StagedKubernetesNetworkPolicy sknp:
                ValidateStagedKubernetesNetworkPolicy(errors, sknp);
                break;
            case BGPFilter filter:
                ValidateMeta(errors, r);
                ValidateBgpFilter(errors, filter);
                break;
            case CalicoNodeStatus status:
                ValidateMeta(errors, r);
                ValidateCalicoNodeStatus(errors, status);
                break;
        }
        // Bounds first: a non-finite order cannot even be turned into JSON for the generic layers below.
        int specific = errors.Count;
        CheckBounds(errors, r);
        // The CRD schema's structural constraints (libcalico-go applies them in etcd mode too).
        if (errors.Count == specific && r.ApiVersion == Resource.CalicoApiVersion)
        {
            var json = ResourceCodec.ToJsonNode(r);
            CheckGoTags(errors, r.Kind, json);
            if (CrdSchema.HasSchema(r.Kind))
                CrdSchema.Check(r.Kind, json, errors.AddUnlessNamed);
        }
        errors.ThrowIfAny();
    }

    /// <summary>Create-time checks plus the fields upstream refuses to change on update.</summary>
    public static void ValidateUpdate(Resource current, Resource updated)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(updated);
        var errors = new Errors();
        if (current.GetType() != updated.GetType())
            errors.Add("Kind", updated.Kind, "kind cannot be changed");
        if (current is IPPool oldPool && updated is IPPool newPool)
        {
            if (!CidrEquivalent(oldPool.Spec.Cidr, newPool.Spec.Cidr))
                errors.Add("IPPool.Spec.CIDR", newPool.Spec.Cidr, "IPPool CIDR cannot be modified");
            if (EffectiveBlockSize(oldPool.Spec) != EffectiveBlockSize(newPool.Spec))
                errors.Add("IPPool.Spec.BlockSize", Str(newPool.Spec.BlockSize), "IPPool BlockSize cannot be modified");
            var wasLoadBalancer = oldPool.Spec.AllowedUses?.Contains("LoadBalancer") == true;
            if (wasLoadBalancer && newPool.Spec.AllowedUses is { } uses && uses.Exists(u => u != "LoadBalancer"))
                errors.Add("IPPool.Spec.AllowedUses", "[" + string.Join(" ", uses) + "]", "IPPool allowed use cannot be changed from LoadBalacer to Workload or Tunnel");
        }
        if (current is WorkloadEndpoint oldWep && updated is WorkloadEndpoint newWep
            && !string.IsNullOrEmpty(oldWep.Spec.Node) && oldWep.Spec.Node != newWep.Spec.Node)
            errors.Add("Spec.Node", newWep.Spec.Node, "node cannot be changed");
        errors.ThrowIfAny();
        Validate(updated);
    }

    private static bool CidrEquivalent(string a, string b) =>
        a == b || (Cidr.TryParse(a, out var na) && Cidr.TryParse(b, out var nb) && na.Equals(nb));

    private static int? EffectiveBlockSize(IPPoolSpec spec)
    {
        if (spec.BlockSize is > 0)
            return spec.BlockSize;
        return Cidr.TryParse(spec.Cidr, out var net) ? (Cidr.Family(net) == 4 ? 26 : 122) : null;
    }

    private static void ValidateMeta(Errors errors, Resource r)
    {
        var name = r.Metadata.Name ?? "";
        if (name.Length > 253)
            errors.Add("Metadata.Name", name, $"name is too long by {name.Length - 253} bytes");
        if (!NameRegex().IsMatch(name))
            errors.Add("Metadata.Name", name, "name must consist of lower case alphanumeric characters, '-' or '.' (regex: " + NameSubdomainFmt + ")");
        ValidateMetaMaps(errors, r);
    }

    private static void ValidateMetaMaps(Errors errors, Resource r)
    {
        ValidateLabels(errors, r.Metadata.Labels, "Metadata.Labels");
        if (r.Metadata.Annotations is { } annotations)
            ValidateAnnotations(errors, annotations);
    }

    private static void ValidateAnnotations(Errors errors, Dictionary<string, string> annotations)
    {
        long total = 0;
        foreach (var (k, v) in annotations)
        {
            // Upstream checks the lower-cased key, so upper-case annotation keys are fine.
            if (!IsQualifiedName(k.ToLowerInvariant()))
                errors.Add("Metadata.Annotations (key)", k, "name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, with an optional DNS subdomain prefix and '/'");
            total += k.Length + v.Length;
        }
        if (total > 256 * 1024)
            errors.Add("Metadata.Annotations (size)", null, "total size of annotations is too large: must have at most 262144 bytes");
    }

    private static void ValidateLabels(Errors errors, Dictionary<string, string>? labels, string field)
    {
        if (labels is null)
            return;
        foreach (var (k, v) in labels)
        {
            if (!IsQualifiedName(k))
                errors.Add(field, k, "name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, with an optional DNS subdomain prefix and '/'");
            if (v.Length > 63 || !LabelValueRegex().IsMatch(v))
                errors.Add(field, v, "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
        }
    }

    /// <summary>Kubernetes qualified name: optional DNS-1123 subdomain prefix and '/', then a name of at most 63 characters.</summary>
    private static bool IsQualifiedName(string key)
    {
        if (!LabelKeyNameRegex().IsMatch(key))
            return false;
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
            return key.Length <= 63;
        var prefix = key[..slash];
        return prefix.Length <= 253 && NameRegex().IsMatch(prefix) && key.Length - slash - 1 <= 63;
    }

    private static void CheckSelector(Errors errors, string field, string? selector)
    {
        if (string.IsNullOrEmpty(selector))
            return;
        try
        {
            var parsed = Calico.Selectors.Selector.Parse(selector);
            if (parsed.Nesting > MaxSelectorNesting)
                errors.Add(field, Abbreviate(selector), $"invalid selector: parentheses nested deeper than {MaxSelectorNesting} levels");
        }
        catch (Calico.Selectors.SelectorSyntaxException e)
        {
            // The parser's message names the column and what it expected: the operator needs it.
            errors.Add(field, Abbreviate(selector), "invalid selector: " + e.Message);
        }
    }

    private static void CheckCidr(Errors errors, string field, string cidr)
    {
        if (!Cidr.TryParse(cidr, out _) && !Cidr.TryParseAddress(cidr, out _))
            errors.Add(field, cidr, "invalid CIDR");
    }

    private static void ForEach<T>(List<T>? items, Action<T> action)
    {
        if (items is null)
            return;
        foreach (var item in items)
            action(item);
    }

    private static string? Str<T>(T? value) where T : struct, IFormattable =>
        value?.ToString(null, CultureInfo.InvariantCulture);

    /// <summary>Collects errors in the order upstream reports them.</summary>
    private sealed class Errors
    {
        private readonly List<FieldError> _list = [];

        public int Count => _list.Count;

        public void Add(string field, string? value, string reason) => _list.Add(new FieldError(field, value, reason));

        /// <summary>The generic tag and schema layers add nothing for a value a specific check already named.</summary>
        public void AddUnlessNamed(string field, string? value, string reason)
        {
            // A specific check may have shown a long value abbreviated.
            if (value is null || !_list.Exists(e => e.Value == value || e.Value == Abbreviate(value)))
                Add(field, value, reason);
        }

        public void ThrowIfAny()
        {
            if (_list.Count > 0)
                throw new ValidationException(_list);
        }
    }
}
