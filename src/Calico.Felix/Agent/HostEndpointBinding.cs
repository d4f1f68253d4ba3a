using Calico.Felix.Calc.Model;

namespace Calico.Felix.Agent;

/// <summary>
/// The agent's side of host endpoint resolution: host endpoint updates from the calculation graph are held here as
/// the graph gave them, and the agent's <see cref="DataplaneState"/> holds what <see cref="HostEndpointResolver"/>
/// makes of them and of the host's interfaces instead, so the renderer only ever sees concrete interface names. Each
/// change (an endpoint, the host's addresses, the workload prefix) re-resolves and applies only the difference, so
/// an unchanged endpoint keeps its instance (and the renderer its cached chains). Used by the agent's loop only.
/// </summary>
internal sealed class HostEndpointBinding
{
    private readonly Dictionary<EndpointKey, EndpointIntent> _raw = [];
    private Dictionary<EndpointKey, EndpointIntent> _bound = [];
    private HostInterfaces? _interfaces;
    private string? _prefix;
    private bool _changed;

    /// <summary>The host's interfaces last reported (null until the first report).</summary>
    public HostInterfaces? Interfaces => _interfaces;

    /// <summary>Holds the host endpoint updates of <paramref name="updates"/> back; returns the others, in order.</summary>
    public IReadOnlyList<DataplaneUpdate> TakeHostEndpoints(IReadOnlyList<DataplaneUpdate> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
        List<DataplaneUpdate>? rest = null;
        for (int i = 0; i < updates.Count; i++)
        {
            DataplaneUpdate update = updates[i];
            bool held = true;
            switch (update)
            {
                case EndpointUpdate { Endpoint.Key.IsHostEndpoint: true } e:
                    _raw[e.Endpoint.Key] = e.Endpoint;
                    break;
                case EndpointRemove { Key.IsHostEndpoint: true } r:
                    _raw.Remove(r.Key);
                    break;
                default:
                    held = false;
                    break;
            }

            if (held)
            {
                _changed = true;
                rest ??= [.. updates.Take(i)];
            }
            else
            {
                rest?.Add(update);
            }
        }

        return rest ?? updates;
    }

    /// <summary>Records the host's interfaces; true when they differ from the last report.</summary>
    public bool SetInterfaces(HostInterfaces interfaces)
    {
        ArgumentNullException.ThrowIfNull(interfaces);
        if (interfaces.SameAs(_interfaces))
        {
            return false;
        }

        _interfaces = interfaces;
        _changed = true;
        return true;
    }

    /// <summary>Re-resolves if anything changed and applies the difference to <paramref name="state"/>; true when the state changed.</summary>
    public bool Bind(DataplaneState state, string workloadPrefix)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!_changed && string.Equals(_prefix, workloadPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        _changed = false;
        _prefix = workloadPrefix;
        Dictionary<EndpointKey, EndpointIntent> bound = HostEndpointResolver.Resolve(_raw, _interfaces, workloadPrefix);
        bool dirty = false;
        foreach (EndpointKey key in _bound.Keys)
        {
            if (!bound.ContainsKey(key))
            {
                state.Apply(new EndpointRemove(key));
                dirty = true;
            }
        }

        foreach (var (key, endpoint) in bound.ToList())
        {
            if (_bound.TryGetValue(key, out EndpointIntent? old) && old.Equals(endpoint))
            {
                bound[key] = old; // same content: keep the instance the renderer has seen
                continue;
            }

            state.Apply(new EndpointUpdate(endpoint));
            dirty = true;
        }

        _bound = bound;
        return dirty;
    }
}
