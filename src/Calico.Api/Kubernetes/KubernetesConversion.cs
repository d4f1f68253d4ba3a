using System.Globalization;
using System.Text;

namespace Calico.Api;

/// <summary>
/// Kubernetes objects to the Calico resources kube-controllers writes for them in etcd mode
/// (libcalico-go backend/k8s/conversion).
/// </summary>
public static class KubernetesConversion
{
    public const string PolicyNamePrefix = "knp.default.";
    public const string NamespaceProfilePrefix = "kns.";
    public const string NamespaceLabelPrefix = "pcns.";
    public const string NamespaceNameLabel = "projectcalico.org/name";
    private const string OrchestratorClause = "projectcalico.org/orchestrator == 'k8s'";

    /// <summary>
    /// A networking.k8s.io/v1 NetworkPolicy as a Calico NetworkPolicy: tier default, order 1000, one Allow rule per
    /// (protocol, peer) pair. Rules that cannot be converted (bad port, bad CIDR) are dropped, as upstream does.
    /// </summary>
    public static NetworkPolicy ToCalicoPolicy(KubernetesNetworkPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var ingress = new List<Rule>();
        foreach (var r in policy.Spec.Ingress ?? [])
        {
            if (TryConvertRule(r.From, r.Ports, isIngress: true, out var rules))
                ingress.AddRange(rules);
        }
        var egress = new List<Rule>();
        foreach (var r in policy.Spec.Egress ?? [])
        {
            if (TryConvertRule(r.To, r.Ports, isIngress: false, out var rules))
                egress.AddRange(rules);
        }
        var declared = policy.Spec.PolicyTypes ?? [];
        var types = new List<string>();
        if (declared.Contains("Ingress"))
            types.Add("Ingress");
        if (declared.Contains("Egress"))
            types.Add("Egress");
        if (types.Count == 0)
            types.Add("Ingress");

        var result = new NetworkPolicy();
        result.Metadata.Name = PolicyNamePrefix + policy.Metadata.Name;
        result.Metadata.Namespace = policy.Metadata.Namespace;
        result.Metadata.CreationTimestamp = policy.Metadata.CreationTimestamp;
        result.Spec.Order = 1000;
        result.Spec.Tier = ResourceDefaults.DefaultTierName;
        result.Spec.Selector = SelectorFor(policy.Spec.PodSelector, pod: true);
        result.Spec.Ingress = ingress.Count > 0 ? ingress : null;
        result.Spec.Egress = egress.Count > 0 ? egress : null;
        result.Spec.Types = types;
        return result;
    }

    /// <summary>A Namespace as its profile: allow-all both ways; namespace labels become pcns.* labels for endpoints.</summary>
    public static Profile ToProfile(KubernetesNamespace ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in ns.Metadata.Labels ?? [])
            labels[NamespaceLabelPrefix + k] = v;
        labels[NamespaceLabelPrefix + NamespaceNameLabel] = ns.Metadata.Name ?? "";
        var profile = new Profile();
        profile.Metadata.Name = NamespaceProfilePrefix + ns.Metadata.Name;
        profile.Metadata.CreationTimestamp = ns.Metadata.CreationTimestamp;
        profile.Spec.Ingress = [new Rule { Action = "Allow" }];
        profile.Spec.Egress = [new Rule { Action = "Allow" }];
        profile.Spec.LabelsToApply = labels;
        return profile;
    }

    /// <summary>A label selector in Calico syntax; pod selectors are limited to Kubernetes endpoints.</summary>
    public static string SelectorFor(LabelSelector? selector, bool pod)
    {
        var terms = new List<string>();
        if (pod)
            terms.Add(OrchestratorClause);
        if (selector is null)
            return string.Join(" && ", terms);
        if (!pod && selector.MatchLabels is not { Count: > 0 } && selector.MatchExpressions is not { Count: > 0 })
            return "all()";
        foreach (var key in (selector.MatchLabels ?? []).Keys.Order(StringComparer.Ordinal))
            terms.Add($"{key} == '{selector.MatchLabels![key]}'");
        foreach (var e in selector.MatchExpressions ?? [])
        {
            var values = string.Join("', '", e.Values ?? []);
            switch (e.Operator)
            {
                case "In":
                    terms.Add($"{e.Key} in {{ '{values}' }}");
                    break;
                case "NotIn":
                    terms.Add($"{e.Key} not in {{ '{values}' }}");
                    break;
                case "Exists":
                    terms.Add($"has({e.Key})");
                    break;
                case "DoesNotExist":
                    terms.Add($"! has({e.Key})");
                    break;
            }
        }
        return string.Join(" && ", terms);
    }

    private static bool TryConvertRule(List<KubernetesNetworkPolicyPeer>? k8sPeers, List<KubernetesNetworkPolicyPort>? k8sPorts, bool isIngress, out List<Rule> rules)
    {
        rules = [];
        // Per protocol: null means "all ports of that protocol"; the "" key means any protocol, any port.
        var byProtocol = new Dictionary<string, List<Port>?>(StringComparer.Ordinal);
        if (k8sPorts is not { Count: > 0 })
        {
            byProtocol[""] = null;
        }
        else
        {
            foreach (var kp in k8sPorts)
            {
                var protocol = Protocol.Canonical(string.IsNullOrEmpty(kp.Protocol) ? Protocol.Tcp : kp.Protocol).ToString();
                List<Port>? ports = null;
                if (kp.Port is not null)
                {
                    var text = kp.Port.ToString();
                    if (kp.EndPort is { } end)
                        text += ":" + end.ToString(CultureInfo.InvariantCulture);
                    if (!Port.TryParse(text, out var port, out _))
                        return false;
                    ports = [port];
                }
                if (ports is null)
                    byProtocol[protocol] = null;
                else if (!byProtocol.TryGetValue(protocol, out var existing))
                    byProtocol[protocol] = ports;
                else if (existing is not null)
                    existing.AddRange(ports);
            }
        }

        var peers = k8sPeers is { Count: > 0 } ? k8sPeers.Select(p => (KubernetesNetworkPolicyPeer?)p).ToList() : [null];
        foreach (var protocolName in byProtocol.Keys.Order(StringComparer.Ordinal))
        {
            var ports = byProtocol[protocolName] is { } list ? SimplifyPorts(list) : null;
            var protocol = protocolName.Length == 0 ? null : Protocol.Canonical(protocolName);
            foreach (var peer in peers)
            {
                var entity = PeerToEntity(peer);
                var rule = new Rule { Action = "Allow", Protocol = protocol };
                if (isIngress)
                {
                    rule.Source = entity;
                    rule.Destination = new EntityRule { Ports = ports };
                }
                else
                {
                    entity.Ports = ports;
                    rule.Destination = entity;
                }
                rules.Add(rule);
            }
        }
        return true;
    }

    private static EntityRule PeerToEntity(KubernetesNetworkPolicyPeer? peer)
    {
        var entity = new EntityRule();
        if (peer is null)
            return entity;
        if (peer.IPBlock is { } block)
        {
            // An unparsable CIDR leaves the peer unrestricted, as upstream does.
            if (!Cidr.TryParse(block.Cidr, out var net))
                return entity;
            entity.Nets = [Cidr.Format(net)];
            foreach (var except in block.Except ?? [])
            {
                if (!Cidr.TryParse(except, out var ex))
                    return entity;
                (entity.NotNets ??= []).Add(Cidr.Format(ex));
            }
            return entity;
        }
        entity.Selector = SelectorFor(peer.PodSelector, pod: true);
        var nsSelector = SelectorFor(peer.NamespaceSelector, pod: false);
        entity.NamespaceSelector = nsSelector.Length > 0 ? nsSelector : null;
        return entity;
    }

    /// <summary>Named ports kept first; numeric ports sorted and adjacent ones merged into ranges (upstream SimplifyPorts).</summary>
    public static List<Port> SimplifyPorts(List<Port> ports)
    {
        ArgumentNullException.ThrowIfNull(ports);
        if (ports.Count <= 1)
            return ports;
        var output = ports.Where(p => p.IsNamed).ToList();
        var numbers = new List<int>();
        foreach (var p in ports.Where(p => !p.IsNamed))
        {
            for (int i = p.MinPort; i <= p.MaxPort; i++)
                numbers.Add(i);
        }
        if (numbers.Count <= 1)
            return ports;
        numbers.Sort();
        var index = 0;
        while (index < numbers.Count)
        {
            var first = numbers[index];
            var last = first;
            index++;
            while (index < numbers.Count && numbers[index] <= last + 1)
            {
                last = numbers[index];
                index++;
            }
            output.Add(first == last ? Port.Single((ushort)first) : Port.Range((ushort)first, (ushort)last));
        }
        return output;
    }
}
