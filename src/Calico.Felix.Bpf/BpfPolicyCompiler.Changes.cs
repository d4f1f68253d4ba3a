using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Bpf;

/// <summary>
/// A table's fragments from what changed (<see cref="DataplaneState.ChangesSince"/>) rather than from every place: at
/// 10,000 policies, a change to one must not look up the other 9,999 (each lookup hashes a key and touches cold
/// objects). The places of each policy and profile are fixed by the table's signature; the sets of the unchanged
/// places are replayed all together (<see cref="FragmentUses"/>).
/// </summary>
public static partial class BpfPolicyCompiler
{
    /// <summary>
    /// The table's fragments with only the changed policies' and profiles' places looked up again (in place order, as
    /// the walk meets them), or null when the walk is needed: what changed is unknown, an id may have been forgotten, or
    /// a fragment carries issues (their order in the plan is the walk's) or reads members (compiled every time).
    /// Returns the cached list itself when no place changed; <paramref name="replaced"/> gets the places whose fragment changed.
    /// </summary>
    private static List<CachedFragment?>? ChangedFragments(CompileContext ctx, EndpointIntent endpoint, bool inbound, CachedTable cached, List<int> replaced)
    {
        if (ctx.ChangedPolicies is null || ctx.ChangedProfiles is null || !ctx.Cache.IdsChecked)
        {
            return null;
        }

        FragmentUses uses = cached.Uses ??= FragmentUses.Of(cached.Fragments);
        if (uses.WithIssues > 0 || uses.ReadingMembers > 0)
        {
            return null;
        }

        TablePlaces places = cached.Places ??= Places(endpoint, inbound);
        var changed = new List<(int Place, PolicyKey? Policy, string? Profile)>();
        foreach (PolicyKey key in ctx.ChangedPolicies)
        {
            if (places.Policies.TryGetValue(key, out List<int>? at))
            {
                changed.AddRange(at.Select(place => (place, (PolicyKey?)key, (string?)null)));
            }
        }

        foreach (string id in ctx.ChangedProfiles)
        {
            if (places.Profiles.TryGetValue(id, out List<int>? at))
            {
                changed.AddRange(at.Select(place => (place, (PolicyKey?)null, (string?)id)));
            }
        }

        changed.Sort(static (a, b) => a.Place.CompareTo(b.Place));
        List<CachedFragment?> fragments = changed.Count == 0 ? cached.Fragments : [.. cached.Fragments];
        foreach ((int place, PolicyKey? policy, string? profile) in changed)
        {
            CachedFragment? hint = fragments[place];
            CachedFragment? now = policy is { } key
                ? ctx.State.Policies.TryGetValue(key, out PolicyIntent? intent) && intent.Staged is null ? ctx.PolicyFragment(key, intent, inbound, hint) : null
                : ctx.State.Profiles.TryGetValue(profile!, out ProfileIntent? profileIntent) ? ctx.ProfileFragment(profile!, profileIntent, inbound, hint) : null;
            if (!ReferenceEquals(now, hint))
            {
                uses.Remove(hint);
                uses.Add(now);
                fragments[place] = now;
                replaced.Add(place);
            }
        }

        ctx.ReplayUses(uses, fragments.Count - changed.Count);
        return fragments;
    }

    /// <summary>
    /// The table's linear rules with only the replaced places' rules overwritten, when each new fragment is as long as
    /// the old one and neither jumps (a toggled action): every other rule, and every Pass's target, stays where it
    /// was. Null when a full linearisation is needed.
    /// </summary>
    private static ImmutableArray<FlatRule>? PatchedLinear(CachedTable cached, List<CachedFragment?> fragments, List<int> replaced)
    {
        if (cached.PlaceStarts is not { } starts || replaced.Count == 0)
        {
            return null;
        }

        foreach (int place in replaced)
        {
            if (cached.Fragments[place] is not { } old || fragments[place] is not { } now || old.Rules.Count != now.Rules.Count || old.Jumps || now.Jumps)
            {
                return null;
            }
        }

        FlatRule[] rules = cached.Linear.ToArray();
        foreach (int place in replaced)
        {
            fragments[place]!.Rules.CopyTo(rules, starts[place]);
        }

        return ImmutableCollectionsMarshal.AsImmutableArray(rules);
    }

    /// <summary>Each policy's and profile's places in the table (<see cref="Fragments"/>' order).</summary>
    private static TablePlaces Places(EndpointIntent endpoint, bool inbound)
    {
        var policies = new Dictionary<PolicyKey, List<int>>();
        var profiles = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        int place = 0;
        foreach (TierIntent tier in endpoint.Tiers)
        {
            foreach (PolicyKey key in inbound ? tier.IngressPolicies : tier.EgressPolicies)
            {
                At(policies, key).Add(place++);
            }
        }

        foreach (string profileId in endpoint.ProfileIds)
        {
            At(profiles, profileId).Add(place++);
        }

        return new TablePlaces(policies, profiles);
    }

    private static List<int> At<TKey>(Dictionary<TKey, List<int>> places, TKey key)
        where TKey : notnull
    {
        if (!places.TryGetValue(key, out List<int>? at))
        {
            places[key] = at = [];
        }

        return at;
    }
}
