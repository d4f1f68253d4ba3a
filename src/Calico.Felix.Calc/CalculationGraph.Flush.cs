using Calico.Felix.Calc.Internal;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Calc;

public sealed partial class CalculationGraph
{
    private static readonly Comparison<PolicyKey> s_policyKeyOrder = (a, b) => string.CompareOrdinal(a.ToString() + "/" + a.Kind, b.ToString() + "/" + b.Kind);
    private static readonly Comparison<EndpointKey> s_endpointKeyOrder = (a, b) =>
        a.IsHostEndpoint != b.IsHostEndpoint ? a.IsHostEndpoint.CompareTo(b.IsHostEndpoint) : string.CompareOrdinal(a.ToString(), b.ToString());

    private readonly HashSet<string> _dirtyIpSets = new(StringComparer.Ordinal);
    private readonly HashSet<PolicyKey> _dirtyPolicies = [];
    private readonly HashSet<string> _dirtyProfiles = new(StringComparer.Ordinal);
    private readonly HashSet<EndpointKey> _dirtyEndpoints = [];

    // What the dataplane has been told (to send deltas, removals, and nothing for no-op changes).
    private readonly HashSet<string> _sentIpSets = new(StringComparer.Ordinal);
    private readonly Dictionary<PolicyKey, PolicyIntent> _sentPolicies = [];
    private readonly Dictionary<string, ProfileIntent> _sentProfiles = new(StringComparer.Ordinal);
    private readonly Dictionary<EndpointKey, EndpointIntent> _sentEndpoints = [];
    private bool _inSyncPending;

    public IReadOnlyList<DataplaneUpdate> Flush()
    {
        var output = new List<DataplaneUpdate>();
        var ipSetRemoves = FlushIpSets(output);
        var policyRemoves = FlushPolicies(output);
        var profileRemoves = FlushProfiles(output);
        FlushEndpoints(output);

        // Removals in reverse dependency order: endpoints (done above, after updates), profiles, policies, IP sets.
        output.AddRange(profileRemoves);
        output.AddRange(policyRemoves);
        output.AddRange(ipSetRemoves);
        if (_inSyncPending)
        {
            _inSyncPending = false;
            output.Add(new InSyncUpdate());
        }

        return output;
    }

    private List<DataplaneUpdate> FlushIpSets(List<DataplaneUpdate> output)
    {
        var removes = new List<DataplaneUpdate>();
        var ids = SortedStrings(_dirtyIpSets);
        _dirtyIpSets.Clear();
        foreach (var id in ids)
        {
            if (_ipSets.TryGetValue(id, out var state))
            {
                if (state.NeedsFullUpdate || !_sentIpSets.Contains(id))
                {
                    output.Add(new IpSetUpdate(id, state.Definition.Type, SortedStrings(state.Members.Keys)));
                    _sentIpSets.Add(id);
                    state.NeedsFullUpdate = false;
                }
                else if (state.PendingAdded.Count > 0 || state.PendingRemoved.Count > 0)
                {
                    output.Add(new IpSetDeltaUpdate(id, SortedStrings(state.PendingAdded), SortedStrings(state.PendingRemoved)));
                }

                state.PendingAdded.Clear();
                state.PendingRemoved.Clear();
            }
            else if (_sentIpSets.Remove(id))
            {
                removes.Add(new IpSetRemove(id));
            }
        }

        return removes;
    }

    private List<DataplaneUpdate> FlushPolicies(List<DataplaneUpdate> output)
    {
        var removes = new List<DataplaneUpdate>();
        var keys = new List<PolicyKey>(_dirtyPolicies);
        _dirtyPolicies.Clear();
        keys.Sort(s_policyKeyOrder);
        foreach (var key in keys)
        {
            if (_activePolicies.TryGetValue(key, out var data))
            {
                if (!_sentPolicies.TryGetValue(key, out var sent) || !IntentEquality.Equal(sent, data.Intent))
                {
                    output.Add(new ActivePolicyUpdate(key, data.Intent));
                    _sentPolicies[key] = data.Intent;
                }
            }
            else if (_sentPolicies.Remove(key))
            {
                removes.Add(new ActivePolicyRemove(key));
            }
        }

        return removes;
    }

    private List<DataplaneUpdate> FlushProfiles(List<DataplaneUpdate> output)
    {
        var removes = new List<DataplaneUpdate>();
        var ids = SortedStrings(_dirtyProfiles);
        _dirtyProfiles.Clear();
        foreach (var id in ids)
        {
            if (_activeProfiles.TryGetValue(id, out var data))
            {
                var intent = data?.Intent ?? s_dummyDropProfile;
                if (!_sentProfiles.TryGetValue(id, out var sent) || !IntentEquality.Equal(sent, intent))
                {
                    output.Add(new ActiveProfileUpdate(id, intent));
                    _sentProfiles[id] = intent;
                }
            }
            else if (_sentProfiles.Remove(id))
            {
                removes.Add(new ActiveProfileRemove(id));
            }
        }

        return removes;
    }

    private void FlushEndpoints(List<DataplaneUpdate> output)
    {
        var keys = new List<EndpointKey>(_dirtyEndpoints);
        _dirtyEndpoints.Clear();
        keys.Sort(s_endpointKeyOrder);
        var removes = new List<DataplaneUpdate>();
        foreach (var key in keys)
        {
            if (_endpoints.TryGetValue(key, out var data) && data.Local)
            {
                var intent = ComputeEndpointIntent(data);
                if (!_sentEndpoints.TryGetValue(key, out var sent) || !IntentEquality.Equal(sent, intent))
                {
                    output.Add(new EndpointUpdate(intent));
                    _sentEndpoints[key] = intent;
                }
            }
            else if (_sentEndpoints.Remove(key))
            {
                removes.Add(new EndpointRemove(key));
            }
        }

        output.AddRange(removes);
    }

    /// <summary>The graph's own view of what is active, for tests to compare with the applied updates.</summary>
    internal DataplaneState BuildActiveState()
    {
        var state = new DataplaneState();
        foreach (var (id, set) in _ipSets)
        {
            state.IpSets[id] = (set.Definition.Type, new HashSet<string>(set.Members.Keys, StringComparer.Ordinal));
        }

        foreach (var (key, data) in _activePolicies)
        {
            state.Policies[key] = data.Intent;
        }

        foreach (var (id, data) in _activeProfiles)
        {
            state.Profiles[id] = data?.Intent ?? s_dummyDropProfile;
        }

        foreach (var (key, data) in _endpoints)
        {
            if (data.Local)
            {
                state.Endpoints[key] = ComputeEndpointIntent(data);
            }
        }

        return state;
    }

    private static List<string> SortedStrings(IEnumerable<string> values)
    {
        var list = new List<string>(values);
        list.Sort(StringComparer.Ordinal);
        return list;
    }

    // ---- Per-endpoint tiers ------------------------------------------------------------------------------

    private EndpointIntent ComputeEndpointIntent(EndpointData endpoint)
    {
        var policies = new List<PolicyData>();
        if (_endpointPolicies.TryGetValue(endpoint.Key, out var keys))
        {
            foreach (var key in keys)
            {
                policies.Add(_policiesByKey[key]);
            }
        }

        policies.Sort(ComparePolicies);
        var normal = new List<TierIntent>();
        var forward = new List<TierIntent>();
        var preDnat = new List<TierIntent>();
        var untracked = new List<TierIntent>();
        var start = 0;
        while (start < policies.Count)
        {
            var tierName = policies[start].Key.Tier;
            var end = start;
            while (end < policies.Count && string.Equals(policies[end].Key.Tier, tierName, StringComparison.Ordinal))
            {
                end++;
            }

            var defaultAction = _tiers.TryGetValue(tierName, out var tier) ? tier.DefaultAction : RuleAction.Deny;
            var n = new TierBuilder(tierName, defaultAction);
            var f = new TierBuilder(tierName, defaultAction);
            var p = new TierBuilder(tierName, RuleAction.Pass);
            var u = new TierBuilder(tierName, RuleAction.Pass);
            for (var i = start; i < end; i++)
            {
                var policy = policies[i];
                if (policy.Intent.Staged is not null)
                {
                    AddStaged(n, policy);
                    continue;
                }

                if (policy.Intent.DoNotTrack)
                {
                    u.Add(policy, egress: true);
                }
                else if (policy.Intent.PreDnat)
                {
                    p.Add(policy, egress: false);
                }
                else
                {
                    if (policy.Intent.ApplyOnForward)
                    {
                        f.Add(policy, egress: true);
                    }

                    n.Add(policy, egress: true, hiddenInPending: IsHiddenInPending(policy));
                }
            }

            n.AddTo(normal);
            f.AddTo(forward);
            p.AddTo(preDnat);
            u.AddTo(untracked);
            start = end;
        }

        var intent = new EndpointIntent(endpoint.Key, endpoint.InterfaceName, endpoint.Ipv4Nets, endpoint.Ipv6Nets, normal, endpoint.Profiles)
        {
            Mac = endpoint.Mac,
            AllowSpoofedSourcePrefixes = endpoint.AllowSpoofedSourcePrefixes,
            FloatingIps = endpoint.FloatingIps,
        };
        if (endpoint.Key.IsHostEndpoint)
        {
            intent = intent with { ForwardTiers = forward, PreDnatTiers = preDnat, UntrackedTiers = untracked };
        }

        return intent;
    }

    /// <summary>Tiers: valid before missing, then order (none last), then name; inside a tier policy order (none = +inf), then "name/namespace/kind".</summary>
    private int ComparePolicies(PolicyData a, PolicyData b)
    {
        if (!string.Equals(a.Key.Tier, b.Key.Tier, StringComparison.Ordinal))
        {
            var aValid = _tiers.TryGetValue(a.Key.Tier, out var aTier);
            var bValid = _tiers.TryGetValue(b.Key.Tier, out var bTier);
            if (aValid != bValid)
            {
                return aValid ? -1 : 1;
            }

            var aOrder = aTier?.Order;
            var bOrder = bTier?.Order;
            if (aOrder is not null && bOrder is not null && aOrder.Value != bOrder.Value)
            {
                return aOrder.Value.CompareTo(bOrder.Value);
            }

            if ((aOrder is null) != (bOrder is null))
            {
                return aOrder is null ? 1 : -1;
            }

            return string.CompareOrdinal(a.Key.Tier, b.Key.Tier);
        }

        if (!a.Order.Equals(b.Order))
        {
            return a.Order.CompareTo(b.Order);
        }

        return string.CompareOrdinal(a.SortName, b.SortName);
    }

    private sealed class TierBuilder(string name, RuleAction defaultAction)
    {
        private readonly List<PolicyKey> _ingress = [];
        private readonly List<PolicyKey> _egress = [];
        private readonly List<PolicyKey> _pendingIngress = [];
        private readonly List<PolicyKey> _pendingEgress = [];

        /// <summary>An enforced policy; <paramref name="hiddenInPending"/> when a staged policy replaces or deletes it.</summary>
        public void Add(PolicyData policy, bool egress, bool hiddenInPending = false)
        {
            if (policy.Ingress)
            {
                _ingress.Add(policy.Key);
                if (!hiddenInPending)
                {
                    _pendingIngress.Add(policy.Key);
                }
            }

            if (egress && policy.Egress)
            {
                _egress.Add(policy.Key);
                if (!hiddenInPending)
                {
                    _pendingEgress.Add(policy.Key);
                }
            }
        }

        /// <summary>A staged policy: in the pending lists only.</summary>
        public void AddPendingOnly(PolicyData policy)
        {
            if (policy.Ingress)
            {
                _pendingIngress.Add(policy.Key);
            }

            if (policy.Egress)
            {
                _pendingEgress.Add(policy.Key);
            }
        }

        public void AddTo(List<TierIntent> tiers)
        {
            if (_ingress.Count > 0 || _egress.Count > 0 || _pendingIngress.Count > 0 || _pendingEgress.Count > 0)
            {
                tiers.Add(new TierIntent(name, defaultAction, _ingress, _egress)
                {
                    PendingIngressPolicies = _pendingIngress.SequenceEqual(_ingress) ? null : _pendingIngress,
                    PendingEgressPolicies = _pendingEgress.SequenceEqual(_egress) ? null : _pendingEgress,
                });
            }
        }
    }
}
