using Calico.Api;
using Calico.Felix.Calc.Internal;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Calc;

/// <summary>
/// Staged policies (upstream's staged*networkpolicyprocessor + the checker's <c>StagedAsEnforced</c> view): never
/// enforced. A staged Set/Learn/Ignore policy is converted as its enforced kind would be (a StagedKubernetesNetworkPolicy
/// as a Kubernetes NetworkPolicy), selected by its own selector and sorted into its tier like any policy, but it
/// reaches endpoints only through the tiers' pending lists and its intent is marked <see cref="PolicyIntent.Staged"/>.
/// Every staged policy (Delete included, which has no rules) hides the enforced policy of the same identity from
/// the pending lists of every endpoint, wherever it is selected.
/// </summary>
public sealed partial class CalculationGraph
{
    // Staged policy id -> the enforced identity it replaces or deletes; and how many staged policies hide each identity.
    private readonly Dictionary<string, PolicyIdentity> _stagedHides = new(StringComparer.Ordinal);
    private readonly Dictionary<PolicyIdentity, int> _hiddenIdentities = [];

    private void OnStagedPolicy(string kind, string? ns, string name, Resource? value)
    {
        var id = PolicyId(kind, ns, name);
        PolicyData? data = null;
        PolicyIdentity? hides = null;
        if (value is not null && BuildStaged(kind, ns, name, value) is { } built)
        {
            data = built.Data;
            hides = built.Replaces;
        }

        ApplyPolicy(id, data);
        _stagedHides.TryGetValue(id, out var oldHides);
        var hadOld = _stagedHides.ContainsKey(id);
        if (hadOld && hides == oldHides)
        {
            return;
        }

        if (hadOld)
        {
            _stagedHides.Remove(id);
            if (--_hiddenIdentities[oldHides] == 0)
            {
                _hiddenIdentities.Remove(oldHides);
            }

            MarkIdentityDirty(oldHides);
        }

        if (hides is { } h)
        {
            _stagedHides[id] = h;
            _hiddenIdentities[h] = _hiddenIdentities.GetValueOrDefault(h) + 1;
            MarkIdentityDirty(h);
        }
    }

    private bool IsHiddenInPending(PolicyData policy) =>
        _hiddenIdentities.Count > 0 && _hiddenIdentities.ContainsKey(PolicyIdentity.Of(policy.Key));

    private static void AddStaged(TierBuilder normal, PolicyData policy)
    {
        // Staged preDNAT / doNotTrack policies have no pending view here (support matrix: ignored).
        if (!policy.Intent.PreDnat && !policy.Intent.DoNotTrack)
        {
            normal.AddPendingOnly(policy);
        }
    }

    /// <summary>Endpoints that the enforced policy with this identity selects see their pending lists change.</summary>
    private void MarkIdentityDirty(PolicyIdentity identity)
    {
        if (_policies.TryGetValue(PolicyId(identity.Kind, identity.Namespace, identity.Name), out var enforced))
        {
            MarkMatchedEndpointsDirty(enforced.Key);
        }
    }

    /// <summary>
    /// The staged policy as the graph keeps it (null data for Delete, which only hides) and the identity it stands in
    /// for; null when it cannot be used (no namespace, bad selector: upstream's validation filter deletes it).
    /// </summary>
    private static (PolicyData? Data, PolicyIdentity Replaces)? BuildStaged(string kind, string? ns, string name, Resource value)
    {
        try
        {
            switch (value)
            {
                case StagedNetworkPolicy snp when !string.IsNullOrEmpty(ns):
                {
                    var spec = snp.Spec;
                    var replaces = new PolicyIdentity(PolicyKinds.NetworkPolicy, ns, name);
                    var action = ParseAction(spec.StagedAction);
                    if (action == StagedAction.Delete)
                    {
                        return (null, replaces);
                    }

                    var rules = RuleConverter.Convert(spec.Ingress, spec.Egress, ns);
                    var data = NewPolicy(
                        new PolicyKey(TierOf(spec.Tier), kind, ns, name), spec.Order, spec.Types,
                        RuleConverter.PolicySelector(spec.Selector, ns, spec.ServiceAccountSelector),
                        rules, preDnat: false, doNotTrack: false, applyOnForward: false);
                    return (MarkStaged(data, action, replaces), replaces);
                }

                case StagedGlobalNetworkPolicy sgnp:
                {
                    var spec = sgnp.Spec;
                    var replaces = new PolicyIdentity(PolicyKinds.GlobalNetworkPolicy, null, name);
                    var action = ParseAction(spec.StagedAction);
                    if (action == StagedAction.Delete)
                    {
                        return (null, replaces);
                    }

                    var rules = RuleConverter.Convert(spec.Ingress, spec.Egress, null);
                    var data = NewPolicy(
                        new PolicyKey(TierOf(spec.Tier), kind, null, name), spec.Order, spec.Types,
                        RuleConverter.GlobalPolicySelector(spec.Selector, spec.NamespaceSelector, spec.ServiceAccountSelector),
                        rules, spec.PreDNAT == true, spec.DoNotTrack == true, spec.ApplyOnForward == true);
                    return (MarkStaged(data, action, replaces), replaces);
                }

                case StagedKubernetesNetworkPolicy sknp when !string.IsNullOrEmpty(ns):
                {
                    var spec = sknp.Spec;
                    var replaces = new PolicyIdentity(PolicyKinds.NetworkPolicy, ns, KubernetesConversion.PolicyNamePrefix + name);
                    var action = ParseAction(spec.StagedAction);
                    if (action == StagedAction.Delete)
                    {
                        return (null, replaces);
                    }

                    // As upstream: staged Kubernetes policy -> networking.k8s.io/v1 NetworkPolicy -> Calico NetworkPolicy.
                    var k8s = new KubernetesNetworkPolicy();
                    k8s.Metadata.Name = name;
                    k8s.Metadata.Namespace = ns;
                    k8s.Spec.PodSelector = spec.PodSelector;
                    k8s.Spec.Ingress = spec.Ingress;
                    k8s.Spec.Egress = spec.Egress;
                    k8s.Spec.PolicyTypes = spec.PolicyTypes;
                    var np = KubernetesConversion.ToCalicoPolicy(k8s).Spec;
                    var rules = RuleConverter.Convert(np.Ingress, np.Egress, ns);
                    var data = NewPolicy(
                        new PolicyKey(TierOf(np.Tier), kind, ns, name), np.Order, np.Types,
                        RuleConverter.PolicySelector(np.Selector, ns, np.ServiceAccountSelector),
                        rules, preDnat: false, doNotTrack: false, applyOnForward: false);
                    return (MarkStaged(data, action, replaces), replaces);
                }

                default:
                    return null;
            }
        }
        catch (Calico.Selectors.SelectorSyntaxException)
        {
            return null;
        }
    }

    private static PolicyData MarkStaged(PolicyData data, StagedAction action, PolicyIdentity replaces) => new()
    {
        Key = data.Key,
        Order = data.Order,
        Selector = data.Selector,
        Ingress = data.Ingress,
        Egress = data.Egress,
        Intent = data.Intent with { Staged = new StagedPolicyInfo(action, replaces) },
        IpSets = data.IpSets,
    };

    /// <summary>Upstream's default is Set; validation admits only Set, Delete, Learn, Ignore.</summary>
    private static StagedAction ParseAction(string? value) => value switch
    {
        "Delete" => StagedAction.Delete,
        "Learn" => StagedAction.Learn,
        "Ignore" => StagedAction.Ignore,
        _ => StagedAction.Set,
    };
}
