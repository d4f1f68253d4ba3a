using Calico.Api;
using Calico.Felix.Calc.Internal;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Calc;

/// <summary>
/// The policy calculation graph (upstream <c>felix/calc</c>): datastore resources in, per-host dataplane intent out.
/// Single-threaded and synchronous. See DESIGN.md for the invariants.
/// </summary>
public sealed partial class CalculationGraph : ICalculationGraph
{
    private const string KindNetworkPolicy = "NetworkPolicy";
    private const string KindGlobalNetworkPolicy = "GlobalNetworkPolicy";

    private static readonly ProfileIntent s_dummyDropProfile = new(
        [new RuleModel { Action = RuleAction.Deny }],
        [new RuleModel { Action = RuleAction.Deny }]);

    /// <summary>
    /// Upstream's built-in profile: allow everything both ways. The datastore never stores it (calicoctl answers it
    /// synthesised), so the graph holds it from the start, as upstream's syncer always serves it.
    /// </summary>
    internal const string DefaultAllowProfileName = "projectcalico-default-allow";

    private static readonly ProfileData s_defaultAllowProfile = new(
        new ProfileIntent([new RuleModel { Action = RuleAction.Allow }], [new RuleModel { Action = RuleAction.Allow }]),
        [],
        new Dictionary<string, string>(StringComparer.Ordinal));

    private readonly string? _hostname;

    // Policy selectors over local endpoints; rule (IP set) selectors over every endpoint and network set.
    private readonly LabelIndex<EndpointKey, PolicyKey> _policyIndex;
    private readonly LabelIndex<MemberKey, string> _ipSetIndex;

    private readonly Dictionary<string, TierData> _tiers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PolicyData> _policies = new(StringComparer.Ordinal);
    private readonly Dictionary<PolicyKey, PolicyData> _policiesByKey = [];
    private readonly Dictionary<string, HashSet<PolicyKey>> _policiesByTier = new(StringComparer.Ordinal);
    private readonly Dictionary<PolicyKey, HashSet<EndpointKey>> _policyMatches = [];
    private readonly Dictionary<PolicyKey, PolicyData> _activePolicies = [];

    private readonly Dictionary<string, ProfileData> _profiles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<EndpointKey>> _profileUsers = new(StringComparer.Ordinal);

    // Active profiles; a null value is a missing profile, rendered as deny-all (fail closed).
    private readonly Dictionary<string, ProfileData?> _activeProfiles = new(StringComparer.Ordinal);

    private readonly Dictionary<EndpointKey, EndpointData> _endpoints = [];
    private readonly Dictionary<EndpointKey, HashSet<PolicyKey>> _endpointPolicies = [];

    private readonly Dictionary<MemberKey, MemberData> _members = [];
    private readonly Dictionary<MemberKey, Dictionary<string, string[]>> _contributions = [];
    private readonly Dictionary<string, IpSetState> _ipSets = new(StringComparer.Ordinal);

    public CalculationGraph(string? hostname)
    {
        _hostname = hostname;
        _policyIndex = new LabelIndex<EndpointKey, PolicyKey>(OnPolicyMatchStarted, OnPolicyMatchStopped);
        _ipSetIndex = new LabelIndex<MemberKey, string>(OnIpSetMatchStarted, OnIpSetMatchStopped);
        _profiles[DefaultAllowProfileName] = s_defaultAllowProfile;
    }

    /// <summary>Selector evaluations so far, over both indexes.</summary>
    internal long SelectorEvaluations => _policyIndex.Evaluations + _ipSetIndex.Evaluations;

    public void OnUpdate(ResourceUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (!string.Equals(update.Kind.ApiVersion, Resource.CalicoApiVersion, StringComparison.Ordinal))
        {
            return;
        }

        switch (update.Kind.Kind)
        {
            case Tier.KindName:
                OnTier(update.Name, update.Value as Tier);
                break;
            case NetworkPolicy.KindName:
                OnPolicy(KindNetworkPolicy, update.Namespace ?? update.Value?.Metadata.Namespace, update.Name, update.Value);
                break;
            case GlobalNetworkPolicy.KindName:
                OnPolicy(KindGlobalNetworkPolicy, null, update.Name, update.Value);
                break;
            case StagedNetworkPolicy.KindName:
            case StagedKubernetesNetworkPolicy.KindName:
                OnStagedPolicy(update.Kind.Kind, update.Namespace ?? update.Value?.Metadata.Namespace, update.Name, update.Value);
                break;
            case StagedGlobalNetworkPolicy.KindName:
                OnStagedPolicy(update.Kind.Kind, null, update.Name, update.Value);
                break;
            case Profile.KindName:
                OnProfile(update.Name, update.Value as Profile);
                break;
            case WorkloadEndpoint.KindName:
            {
                var ns = update.Namespace ?? update.Value?.Metadata.Namespace;
                OnEndpoint(new EndpointKey(false, ns, update.Name), update.Value is WorkloadEndpoint wep ? BuildWorkloadEndpoint(ns, update.Name, wep) : null);
                break;
            }

            case HostEndpoint.KindName:
                OnEndpoint(new EndpointKey(true, null, update.Name), update.Value is HostEndpoint hep ? BuildHostEndpoint(update.Name, hep) : null);
                break;
            case NetworkSet.KindName:
            {
                var ns = update.Namespace ?? update.Value?.Metadata.Namespace;
                OnNetworkSet(new MemberKey(MemberKind.NetworkSet, ns, update.Name), update.Value is NetworkSet set ? set : null, ns);
                break;
            }

            case GlobalNetworkSet.KindName:
                OnNetworkSet(new MemberKey(MemberKind.GlobalNetworkSet, null, update.Name), update.Value is GlobalNetworkSet gset ? gset : null, null);
                break;
            default:
                break;
        }
    }

    public void OnInSync() => _inSyncPending = true;

    // ---- Tiers -------------------------------------------------------------------------------------------

    private void OnTier(string name, Tier? tier)
    {
        TierData? data = tier is null
            ? null
            : new TierData(tier.Spec.Order, string.Equals(tier.Spec.DefaultAction, "Pass", StringComparison.Ordinal) ? RuleAction.Pass : RuleAction.Deny);
        _tiers.TryGetValue(name, out var old);
        if (old == data)
        {
            return;
        }

        if (data is null)
        {
            _tiers.Remove(name);
        }
        else
        {
            _tiers[name] = data;
        }

        // Order, validity and default action feed every endpoint that has a policy of this tier.
        if (_policiesByTier.TryGetValue(name, out var keys))
        {
            foreach (var key in keys)
            {
                MarkMatchedEndpointsDirty(key);
            }
        }
    }

    // ---- Policies ----------------------------------------------------------------------------------------

    private void OnPolicy(string kind, string? ns, string name, Resource? value) =>
        ApplyPolicy(PolicyId(kind, ns, name), value is null ? null : BuildPolicy(kind, ns, name, value));

    private static string PolicyId(string kind, string? ns, string name) => kind + "/" + ns + "/" + name;

    private void ApplyPolicy(string id, PolicyData? data)
    {
        _policies.TryGetValue(id, out var old);
        if (old is not null && (data is null || old.Key != data.Key))
        {
            RemovePolicy(id, old);
            old = null;
        }

        if (data is null)
        {
            return;
        }

        _policies[id] = data;
        _policiesByKey[data.Key] = data;
        GetOrAdd(_policiesByTier, data.Key.Tier).Add(data.Key);
        if (old is not null)
        {
            if (_activePolicies.TryGetValue(data.Key, out var active))
            {
                // Take the new sets before dropping the old ones so that shared sets are not churned.
                AddIpSetRefs(data.IpSets);
                _activePolicies[data.Key] = data;
                ReleaseIpSetRefs(active.IpSets);
                _dirtyPolicies.Add(data.Key);
            }

            if (!old.SameSortMetadata(data))
            {
                MarkMatchedEndpointsDirty(data.Key);
            }
        }

        _policyIndex.UpdateSelector(data.Key, data.Selector);
    }

    private void RemovePolicy(string id, PolicyData old)
    {
        _policyIndex.DeleteSelector(old.Key);
        _policies.Remove(id);
        _policiesByKey.Remove(old.Key);
        if (_policiesByTier.TryGetValue(old.Key.Tier, out var keys))
        {
            keys.Remove(old.Key);
            if (keys.Count == 0)
            {
                _policiesByTier.Remove(old.Key.Tier);
            }
        }
    }

    private static PolicyData? BuildPolicy(string kind, string? ns, string name, Resource value)
    {
        try
        {
            switch (value)
            {
                case NetworkPolicy np when kind == KindNetworkPolicy && !string.IsNullOrEmpty(ns):
                {
                    var spec = np.Spec;
                    var rules = RuleConverter.Convert(spec.Ingress, spec.Egress, ns);
                    return NewPolicy(
                        new PolicyKey(TierOf(spec.Tier), kind, ns, name), spec.Order, spec.Types,
                        RuleConverter.PolicySelector(spec.Selector, ns, spec.ServiceAccountSelector),
                        rules, preDnat: false, doNotTrack: false, applyOnForward: false);
                }

                case GlobalNetworkPolicy gnp when kind == KindGlobalNetworkPolicy:
                {
                    var spec = gnp.Spec;
                    var rules = RuleConverter.Convert(spec.Ingress, spec.Egress, null);
                    return NewPolicy(
                        new PolicyKey(TierOf(spec.Tier), kind, null, name), spec.Order, spec.Types,
                        RuleConverter.GlobalPolicySelector(spec.Selector, spec.NamespaceSelector, spec.ServiceAccountSelector),
                        rules, spec.PreDNAT == true, spec.DoNotTrack == true, spec.ApplyOnForward == true);
                }

                default:
                    return null;
            }
        }
        catch (Calico.Selectors.SelectorSyntaxException)
        {
            // Upstream's validation filter turns an invalid value into a deletion.
            return null;
        }
    }

    private static string TierOf(string? tier) => string.IsNullOrEmpty(tier) ? ResourceDefaults.DefaultTierName : tier;

    private static PolicyData NewPolicy(
        PolicyKey key, double? order, List<string>? types, Calico.Selectors.Selector selector, ParsedRules rules,
        bool preDnat, bool doNotTrack, bool applyOnForward)
    {
        bool ingress = false, egress = false;
        if (types is not { Count: > 0 })
        {
            // Upstream's back-compatibility: no types means both.
            ingress = egress = true;
        }
        else
        {
            foreach (var t in types)
            {
                ingress |= string.Equals(t, "Ingress", StringComparison.OrdinalIgnoreCase);
                egress |= string.Equals(t, "Egress", StringComparison.OrdinalIgnoreCase);
            }
        }

        return new PolicyData
        {
            Key = key,
            Order = order ?? double.PositiveInfinity,
            Selector = selector,
            Ingress = ingress,
            Egress = egress,
            Intent = new PolicyIntent(rules.Inbound, rules.Outbound) { PreDnat = preDnat, DoNotTrack = doNotTrack, ApplyOnForward = applyOnForward },
            IpSets = rules.IpSets,
        };
    }

    private void OnPolicyMatchStarted(PolicyKey policy, EndpointKey endpoint)
    {
        var matches = GetOrAdd(_policyMatches, policy);
        matches.Add(endpoint);
        if (matches.Count == 1)
        {
            var data = _policiesByKey[policy];
            AddIpSetRefs(data.IpSets);
            _activePolicies[policy] = data;
            _dirtyPolicies.Add(policy);
        }

        GetOrAdd(_endpointPolicies, endpoint).Add(policy);
        _dirtyEndpoints.Add(endpoint);
    }

    private void OnPolicyMatchStopped(PolicyKey policy, EndpointKey endpoint)
    {
        var matches = _policyMatches[policy];
        matches.Remove(endpoint);
        if (matches.Count == 0)
        {
            _policyMatches.Remove(policy);
            _activePolicies.Remove(policy, out var data);
            ReleaseIpSetRefs(data!.IpSets);
            _dirtyPolicies.Add(policy);
        }

        var policies = _endpointPolicies[endpoint];
        policies.Remove(policy);
        if (policies.Count == 0)
        {
            _endpointPolicies.Remove(endpoint);
        }

        _dirtyEndpoints.Add(endpoint);
    }

    private void MarkMatchedEndpointsDirty(PolicyKey key)
    {
        if (_policyMatches.TryGetValue(key, out var endpoints))
        {
            foreach (var endpoint in endpoints)
            {
                _dirtyEndpoints.Add(endpoint);
            }
        }
    }

    // ---- Profiles ----------------------------------------------------------------------------------------

    private void OnProfile(string name, Profile? profile)
    {
        if (string.Equals(name, DefaultAllowProfileName, StringComparison.Ordinal))
        {
            // Built in: a stored copy (or its deletion) cannot change what it means.
            return;
        }

        ProfileData? data = null;
        if (profile is not null)
        {
            var rules = RuleConverter.Convert(profile.Spec.Ingress, profile.Spec.Egress, null);
            IReadOnlyDictionary<string, string> labels = profile.Spec.LabelsToApply is { } l
                ? new Dictionary<string, string>(l, StringComparer.Ordinal)
                : new Dictionary<string, string>(StringComparer.Ordinal);
            data = new ProfileData(new ProfileIntent(rules.Inbound, rules.Outbound), rules.IpSets, labels);
            _profiles[name] = data;
        }
        else
        {
            _profiles.Remove(name);
        }

        if (_activeProfiles.TryGetValue(name, out var active))
        {
            if (data is not null)
            {
                AddIpSetRefs(data.IpSets);
            }

            _activeProfiles[name] = data;
            if (active is not null)
            {
                ReleaseIpSetRefs(active.IpSets);
            }

            _dirtyProfiles.Add(name);
        }

        // Label inheritance: every endpoint and network set under this profile is re-evaluated.
        _policyIndex.UpdateParentLabels(name, data?.Labels);
        _ipSetIndex.UpdateParentLabels(name, data?.Labels);
    }

    private void AddProfileUser(string profile, EndpointKey endpoint)
    {
        var users = GetOrAdd(_profileUsers, profile);
        if (users.Add(endpoint) && users.Count == 1)
        {
            _profiles.TryGetValue(profile, out var data);
            if (data is not null)
            {
                AddIpSetRefs(data.IpSets);
            }

            _activeProfiles[profile] = data;
            _dirtyProfiles.Add(profile);
        }
    }

    private void RemoveProfileUser(string profile, EndpointKey endpoint)
    {
        if (!_profileUsers.TryGetValue(profile, out var users) || !users.Remove(endpoint) || users.Count > 0)
        {
            return;
        }

        _profileUsers.Remove(profile);
        _activeProfiles.Remove(profile, out var data);
        if (data is not null)
        {
            ReleaseIpSetRefs(data.IpSets);
        }

        _dirtyProfiles.Add(profile);
    }

    private static TValue GetOrAdd<TKey, TValue>(Dictionary<TKey, TValue> map, TKey key)
        where TKey : notnull
        where TValue : new()
    {
        if (!map.TryGetValue(key, out var value))
        {
            value = new TValue();
            map.Add(key, value);
        }

        return value;
    }
}
