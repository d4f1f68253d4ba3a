using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules.Tests;

/// <summary>Copies and small edits of dataplane states for delta tests.</summary>
internal static class StateBuilder
{
    public static DataplaneState Clone(DataplaneState source)
    {
        var copy = new DataplaneState();
        foreach (var (id, (type, members)) in source.IpSets)
        {
            copy.Apply(new IpSetUpdate(id, type, [.. members]));
        }

        foreach (var (key, policy) in source.Policies)
        {
            copy.Apply(new ActivePolicyUpdate(key, policy));
        }

        foreach (var (id, profile) in source.Profiles)
        {
            copy.Apply(new ActiveProfileUpdate(id, profile));
        }

        foreach (EndpointIntent endpoint in source.Endpoints.Values)
        {
            copy.Apply(new EndpointUpdate(endpoint));
        }

        return copy;
    }

    public static DataplaneState With(DataplaneState source, params DataplaneUpdate[] updates)
    {
        DataplaneState copy = Clone(source);
        copy.Apply(updates);
        return copy;
    }

    public static EndpointIntent HostEndpoint(string iface, IReadOnlyList<TierIntent> tiers, params string[] profiles) =>
        new(new EndpointKey(true, null, "hep-" + iface), iface, [], [], tiers, profiles);
}
