using Calico.Api;
using Calico.Felix.Calc.Internal;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Calc;

public sealed partial class CalculationGraph
{
    private const string OrchestratorLabel = "projectcalico.org/orchestrator";

    private EndpointData? BuildWorkloadEndpoint(string? ns, string name, WorkloadEndpoint wep)
    {
        var spec = wep.Spec;

        // Upstream filters out endpoints without addresses: their rules cannot be rendered yet.
        if (spec.IpNetworks is not { Count: > 0 } || string.IsNullOrEmpty(ns))
        {
            return null;
        }

        // As upstream's WEP processor: drop pcns./pcsa. labels (an endpoint may not claim another namespace's
        // labels), force the namespace label, add the service account label.
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (wep.Metadata.Labels is { } own)
        {
            foreach (var (key, value) in own)
            {
                if (!key.StartsWith(RuleConverter.NamespacePrefix, StringComparison.Ordinal)
                    && !key.StartsWith(RuleConverter.ServiceAccountPrefix, StringComparison.Ordinal))
                {
                    labels[key] = value;
                }
            }
        }

        labels[RuleConverter.NamespaceLabel] = ns;
        if (!string.IsNullOrEmpty(spec.Orchestrator))
        {
            labels.TryAdd(OrchestratorLabel, spec.Orchestrator);
        }

        if (!string.IsNullOrEmpty(spec.ServiceAccountName))
        {
            labels[RuleConverter.ServiceAccountLabel] = spec.ServiceAccountName;
        }

        var ports = new List<NamedPort>();
        foreach (var port in spec.Ports ?? [])
        {
            if (!string.IsNullOrEmpty(port.Name))
            {
                ports.Add(new NamedPort(port.Name, RuleConverter.EndpointPortProtocol(port.Protocol), port.Port));
            }
        }

        return NewEndpoint(
            new EndpointKey(false, ns, name), new MemberKey(MemberKind.WorkloadEndpoint, ns, name),
            _hostname is null || string.Equals(spec.Node, _hostname, StringComparison.Ordinal),
            labels, spec.Profiles, spec.IpNetworks, ports, spec.InterfaceName, spec.Mac, spec.AllowSpoofedSourcePrefixes, spec.IpNATs);
    }

    private EndpointData BuildHostEndpoint(string name, HostEndpoint hep)
    {
        var spec = hep.Spec;
        var labels = hep.Metadata.Labels is { } own
            ? new Dictionary<string, string>(own, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);
        var ports = new List<NamedPort>();
        foreach (var port in spec.Ports ?? [])
        {
            if (!string.IsNullOrEmpty(port.Name))
            {
                ports.Add(new NamedPort(port.Name, RuleConverter.EndpointPortProtocol(port.Protocol), port.Port));
            }
        }

        return NewEndpoint(
            new EndpointKey(true, null, name), new MemberKey(MemberKind.HostEndpoint, null, name),
            _hostname is null || string.Equals(spec.Node, _hostname, StringComparison.Ordinal),
            labels, spec.Profiles, spec.ExpectedIPs, ports, spec.InterfaceName, null);
    }

    private static EndpointData NewEndpoint(
        EndpointKey key, MemberKey memberKey, bool local, Dictionary<string, string> labels, List<string>? profiles,
        List<string>? addresses, List<NamedPort> ports, string? interfaceName, string? mac, List<string>? spoofedSourcePrefixes = null, List<IPNAT>? ipNats = null)
    {
        var v4 = new List<string>();
        var v6 = new List<string>();
        var nets = new List<string>();
        var ips = new List<string>();
        foreach (var text in addresses ?? [])
        {
            if (!RuleConverter.TryNormaliseCidr(text, out var cidr))
            {
                continue;
            }

            nets.Add(cidr);
            var slash = cidr.IndexOf('/', StringComparison.Ordinal);
            ips.Add(cidr[..slash]);
            (cidr.Contains(':', StringComparison.Ordinal) ? v6 : v4).Add(cidr);
        }

        // Bad prefixes are skipped as bad addresses are: validation rejects both before they reach the store.
        var allowed = new List<string>();
        foreach (var text in spoofedSourcePrefixes ?? [])
        {
            if (RuleConverter.TryNormaliseCidr(text, out var cidr) && !Contains(allowed, cidr))
            {
                allowed.Add(cidr);
            }
        }

        return new EndpointData
        {
            Member = new MemberData(nets, ips, ports),
            Key = key,
            MemberKey = memberKey,
            Local = local,
            Labels = labels,
            Profiles = profiles is null ? [] : [.. profiles],
            Ipv4Nets = v4,
            Ipv6Nets = v6,
            InterfaceName = interfaceName,
            Mac = mac,
            AllowSpoofedSourcePrefixes = allowed,
            FloatingIps = FloatingIps(ipNats),
        };
    }

    private void OnEndpoint(EndpointKey key, EndpointData? data)
    {
        _endpoints.TryGetValue(key, out var old);
        var memberKey = data?.MemberKey ?? old?.MemberKey;

        // IP set membership first (all endpoints), so sets are current before policies are (re)activated.
        if (data is not null)
        {
            UpdateMember(data.MemberKey, data.Labels, data.Profiles, data.Member);
        }
        else if (memberKey is { } mk)
        {
            DeleteMember(mk);
        }

        var wasLocal = old?.Local == true;
        var isLocal = data?.Local == true;
        if (wasLocal && !isLocal)
        {
            _policyIndex.DeleteItem(key);
            foreach (var profile in old!.Profiles)
            {
                RemoveProfileUser(profile, key);
            }

            _dirtyEndpoints.Add(key);
        }

        if (data is null)
        {
            _endpoints.Remove(key);
        }
        else
        {
            _endpoints[key] = data;
        }

        if (isLocal)
        {
            // New profiles first, then drop the old ones: a profile kept across the update stays active.
            foreach (var profile in data!.Profiles)
            {
                AddProfileUser(profile, key);
            }

            if (wasLocal)
            {
                foreach (var profile in old!.Profiles)
                {
                    if (!Contains(data.Profiles, profile))
                    {
                        RemoveProfileUser(profile, key);
                    }
                }
            }

            _policyIndex.UpdateItem(key, data.Labels, data.Profiles);
            _dirtyEndpoints.Add(key);
        }
    }

    private static bool Contains(IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (string.Equals(list[i], value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    // ---- Network sets ------------------------------------------------------------------------------------

    private void OnNetworkSet(MemberKey key, Resource? value, string? ns)
    {
        List<string>? netsIn = value switch
        {
            NetworkSet set => set.Spec.Nets,
            GlobalNetworkSet gset => gset.Spec.Nets,
            _ => null,
        };
        if (value is null)
        {
            DeleteMember(key);
            return;
        }

        var labels = value.Metadata.Labels is { } own
            ? new Dictionary<string, string>(own, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);
        IReadOnlyList<string> parents = [];
        if (ns is not null)
        {
            // As upstream's network set processor: the namespace label, and the namespace's profile for pcns.* labels.
            labels[RuleConverter.NamespaceLabel] = ns;
            parents = [KubernetesConversion.NamespaceProfilePrefix + ns];
        }

        var nets = new List<string>();
        foreach (var text in netsIn ?? [])
        {
            if (RuleConverter.TryNormaliseCidr(text, out var cidr))
            {
                nets.Add(cidr);
            }
        }

        UpdateMember(key, labels, parents, new MemberData(nets, [], []));
    }

    // ---- IP sets -----------------------------------------------------------------------------------------

    private void UpdateMember(MemberKey key, IReadOnlyDictionary<string, string> labels, IReadOnlyList<string> parents, MemberData data)
    {
        _members[key] = data;
        _ipSetIndex.UpdateItem(key, labels, parents);

        // Sets whose match did not change may still need new members (addresses or ports changed).
        if (_contributions.TryGetValue(key, out var bySet))
        {
            var setIds = new string[bySet.Count];
            bySet.Keys.CopyTo(setIds, 0);
            foreach (var setId in setIds)
            {
                var state = _ipSets[setId];
                var oldMembers = bySet[setId];
                var newMembers = ComputeMembers(state.Definition, data);
                if (SameMembers(oldMembers, newMembers))
                {
                    continue;
                }

                foreach (var m in newMembers)
                {
                    MarkIpSetDirtyIf(state, state.Add(m));
                }

                foreach (var m in oldMembers)
                {
                    MarkIpSetDirtyIf(state, state.Remove(m));
                }

                bySet[setId] = newMembers;
            }
        }
    }

    private void DeleteMember(MemberKey key)
    {
        _ipSetIndex.DeleteItem(key);
        _members.Remove(key);
        _contributions.Remove(key);
    }

    private void OnIpSetMatchStarted(string setId, MemberKey member)
    {
        var state = _ipSets[setId];
        var members = ComputeMembers(state.Definition, _members[member]);
        GetOrAdd(_contributions, member)[setId] = members;
        foreach (var m in members)
        {
            MarkIpSetDirtyIf(state, state.Add(m));
        }
    }

    private void OnIpSetMatchStopped(string setId, MemberKey member)
    {
        if (!_contributions.TryGetValue(member, out var bySet) || !bySet.Remove(setId, out var members))
        {
            return;
        }

        if (bySet.Count == 0)
        {
            _contributions.Remove(member);
        }

        if (_ipSets.TryGetValue(setId, out var state))
        {
            foreach (var m in members)
            {
                MarkIpSetDirtyIf(state, state.Remove(m));
            }
        }
    }

    private void MarkIpSetDirtyIf(IpSetState state, bool changed)
    {
        if (changed)
        {
            _dirtyIpSets.Add(state.Definition.Id);
        }
    }

    private static string[] ComputeMembers(IpSetDefinition definition, MemberData data)
    {
        if (definition.NamedPort is null)
        {
            var nets = new string[data.Nets.Count];
            for (var i = 0; i < nets.Length; i++)
            {
                nets[i] = data.Nets[i];
            }

            return nets;
        }

        var result = new List<string>();
        foreach (var port in data.Ports)
        {
            if (!string.Equals(port.Name, definition.NamedPort, StringComparison.Ordinal)
                || (definition.NamedPortProtocol != "any" && !string.Equals(port.Protocol, definition.NamedPortProtocol, StringComparison.Ordinal)))
            {
                continue;
            }

            foreach (var address in data.Addresses)
            {
                result.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{address},{port.Protocol}:{port.Port}"));
            }
        }

        return [.. result];
    }

    private static bool SameMembers(string[] a, string[] b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (!string.Equals(a[i], b[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private void AddIpSetRefs(IReadOnlyList<IpSetDefinition> definitions)
    {
        foreach (var def in definitions)
        {
            if (_ipSets.TryGetValue(def.Id, out var state))
            {
                state.RefCount++;
                continue;
            }

            _ipSets.Add(def.Id, new IpSetState(def));
            _dirtyIpSets.Add(def.Id);
            _ipSetIndex.UpdateSelector(def.Id, def.Selector);
        }
    }

    private void ReleaseIpSetRefs(IReadOnlyList<IpSetDefinition> definitions)
    {
        foreach (var def in definitions)
        {
            var state = _ipSets[def.Id];
            if (--state.RefCount > 0)
            {
                continue;
            }

            _ipSetIndex.DeleteSelector(def.Id);
            _ipSets.Remove(def.Id);
            _dirtyIpSets.Add(def.Id);
        }
    }
}
