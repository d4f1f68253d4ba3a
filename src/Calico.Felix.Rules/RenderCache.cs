using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules;

/// <summary>
/// What <see cref="NftablesRenderer.Build(DataplaneState, RenderConfig, NatInputs, RenderCache?)"/> rendered last
/// time, reused when its input did not change: policy and profile chains by the identity of their (immutable)
/// intent and of the config, IP sets by <see cref="DataplaneState.IpSetVersion"/>. With it a batch costs what the
/// batch touched (plus a walk over the keys); without it every build renders everything. One cache per table
/// being maintained; not thread-safe.
/// </summary>
public sealed class RenderCache
{
    internal Dictionary<PolicyKey, (PolicyIntent Intent, RenderConfig Config, NftChain In, NftChain Out)> Policies { get; } = [];

    internal Dictionary<string, (ProfileIntent Intent, RenderConfig Config, NftChain In, NftChain Out)> Profiles { get; } = new(StringComparer.Ordinal);

    internal Dictionary<string, (long Version, NftSet V4, NftSet V6)> IpSets { get; } = new(StringComparer.Ordinal);

    /// <summary>Merged sets by name (a hash of their definition), valid while the IP sets they expand keep these versions.</summary>
    internal Dictionary<string, (long[] Versions, NftSet Set)> MergedSets { get; } = new(StringComparer.Ordinal);

    /// <summary>Endpoint chains by name, with the inputs they were rendered from.</summary>
    internal Dictionary<string, EndpointChainEntry> Endpoints { get; } = new(StringComparer.Ordinal);

    private DataplaneState? _state;

    /// <summary>IP set versions are per state object: a different state starts the cache afresh.</summary>
    internal void BindTo(DataplaneState state)
    {
        if (!ReferenceEquals(_state, state))
        {
            Policies.Clear();
            Profiles.Clear();
            IpSets.Clear();
            MergedSets.Clear();
            Endpoints.Clear();
            _state = state;
        }
    }

    /// <summary>Drops entries for keys the state no longer has, so the cache does not grow without bound.</summary>
    internal void Prune(DataplaneState state, IReadOnlyDictionary<string, NftSet>? mergedSetsInUse, HashSet<string> endpointChains)
    {
        if (Endpoints.Count > endpointChains.Count)
        {
            foreach (string name in Endpoints.Keys.Where(k => !endpointChains.Contains(k)).ToList())
            {
                Endpoints.Remove(name);
            }
        }

        if (MergedSets.Count > (mergedSetsInUse?.Count ?? 0))
        {
            foreach (string name in MergedSets.Keys.Where(k => mergedSetsInUse is null || !mergedSetsInUse.ContainsKey(k)).ToList())
            {
                MergedSets.Remove(name);
            }
        }

        if (Policies.Count > state.Policies.Count)
        {
            foreach (PolicyKey key in Policies.Keys.Where(k => !state.Policies.ContainsKey(k)).ToList())
            {
                Policies.Remove(key);
            }
        }

        if (Profiles.Count > state.Profiles.Count)
        {
            foreach (string key in Profiles.Keys.Where(k => !state.Profiles.ContainsKey(k)).ToList())
            {
                Profiles.Remove(key);
            }
        }

        if (IpSets.Count > state.IpSets.Count)
        {
            foreach (string key in IpSets.Keys.Where(k => !state.IpSets.ContainsKey(k)).ToList())
            {
                IpSets.Remove(key);
            }
        }
    }
}
