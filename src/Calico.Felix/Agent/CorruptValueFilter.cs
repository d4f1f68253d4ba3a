using System.Text.Json.Nodes;
using Calico.Api;
using Calico.Client;
using Calico.Datastore;

namespace Calico.Felix.Agent;

/// <summary>
/// Sits between the syncer and everything that consumes datastore values (calculation graph, agent inputs, routing)
/// and decodes them, so that a value which cannot be read never becomes an opening. Upstream's validation filter
/// turns an unreadable value into a deletion: for a policy that silently removes the protection it gave. Here:
/// <list type="bullet">
/// <item>the last readable version of the key stays in force (kept as the stored bytes, decoded again on demand);</item>
/// <item>a (Global)NetworkPolicy with no readable version is replaced by a deny-all policy of the same name, in its
/// tier (the name's <c>tier.</c> prefix when that tier is known, else <c>default</c>), ordered first in the tier and
/// selecting every endpoint it could have selected (all, or all in its namespace): whatever reaches that tier is
/// dropped, because the unknown policy might have dropped it;</item>
/// <item>any other kind with no readable version is skipped.</item>
/// </list>
/// Every such key is reported (<see cref="Corrupt"/>) until it is repaired or deleted. Single-threaded: the agent's loop.
/// </summary>
internal sealed class CorruptValueFilter
{
    /// <summary>Order of the stand-in policy: before any real policy of its tier.</summary>
    public const double DenyAllOrder = double.MinValue;

    private readonly Dictionary<string, KeyValue> _lastGood = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CorruptResource> _corrupt = new(StringComparer.Ordinal);
    private readonly HashSet<string> _tiers = new(StringComparer.Ordinal) { ResourceDefaults.DefaultTierName };
    private bool _changed;

    /// <summary>Keys currently unreadable, sorted by key.</summary>
    public IReadOnlyList<CorruptResource> Corrupt { get; private set; } = [];

    /// <summary>True once after <see cref="Corrupt"/> changed.</summary>
    public bool TakeChanged()
    {
        bool changed = _changed;
        _changed = false;
        return changed;
    }

    /// <summary>
    /// The value consumers should see for an update: false means deliver nothing (an unreadable value of a kind
    /// that is skipped); true with a null <paramref name="value"/> is a deletion.
    /// </summary>
    public bool Filter(ResourceKind kind, string? ns, string name, string key, byte[]? raw, long revision, out Resource? value, out string? error)
    {
        ArgumentNullException.ThrowIfNull(kind);
        error = null;
        if (raw is null)
        {
            _lastGood.Remove(key);
            ClearCorrupt(key);
            if (kind == ResourceKinds.Tier)
            {
                _tiers.Remove(name);
                _tiers.Add(ResourceDefaults.DefaultTierName);
            }

            value = null;
            return true;
        }

        var stored = new KeyValue(key, raw, revision);
        try
        {
            value = ResourceClient.DecodeStored(kind, stored);
            if (PolicySelectorCheck.FirstProblem(value) is { } unusable)
            {
                error = "invalid selector at " + unusable;
                return OnCorrupt(kind, ns, name, key, error, out value);
            }

            _lastGood[key] = stored;
            ClearCorrupt(key);
            if (kind == ResourceKinds.Tier)
            {
                _tiers.Add(name);
            }

            return true;
        }
        catch (CorruptResourceException e)
        {
            error = e.Reason;
            return OnCorrupt(kind, ns, name, key, e.Reason, out value);
        }
    }

    private bool OnCorrupt(ResourceKind kind, string? ns, string name, string key, string reason, out Resource? value)
    {
        if (_lastGood.TryGetValue(key, out KeyValue? good))
        {
            // It decoded before; it still does.
            value = ResourceClient.DecodeStored(kind, good);
            SetCorrupt(new CorruptResource(kind.Kind, key, reason, CorruptHandling.LastGood));
            return true;
        }

        if (kind == ResourceKinds.GlobalNetworkPolicy || kind == ResourceKinds.NetworkPolicy)
        {
            value = DenyAll(kind, ns, name);
            SetCorrupt(new CorruptResource(kind.Kind, key, reason, CorruptHandling.DenyAll));
            return true;
        }

        value = null;
        SetCorrupt(new CorruptResource(kind.Kind, key, reason, CorruptHandling.Skipped));
        return false;
    }

    /// <summary>The stand-in for an unreadable policy; see the class summary.</summary>
    internal Resource DenyAll(ResourceKind kind, string? ns, string name)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (kind.Namespaced)
        {
            metadata["namespace"] = ns;
        }

        var node = new JsonObject
        {
            ["apiVersion"] = kind.ApiVersion,
            ["kind"] = kind.Kind,
            ["metadata"] = metadata,
            ["spec"] = new JsonObject
            {
                ["tier"] = TierOf(name),
                ["selector"] = "all()",
                ["types"] = new JsonArray("Ingress", "Egress"),
                ["ingress"] = new JsonArray(new JsonObject { ["action"] = "Deny" }),
                ["egress"] = new JsonArray(new JsonObject { ["action"] = "Deny" }),
            },
        };
        Resource policy = ResourceCodec.FromJsonNode(node);
        switch (policy)
        {
            case GlobalNetworkPolicy gnp:
                gnp.Spec.Order = DenyAllOrder;
                break;
            case NetworkPolicy np:
                np.Spec.Order = DenyAllOrder;
                break;
            default:
                break;
        }

        return policy;
    }

    /// <summary>Upstream names a policy of a non-default tier <c>&lt;tier&gt;.&lt;name&gt;</c>.</summary>
    private string TierOf(string name)
    {
        int dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && _tiers.Contains(name[..dot]) ? name[..dot] : ResourceDefaults.DefaultTierName;
    }

    private void SetCorrupt(CorruptResource corrupt)
    {
        if (_corrupt.TryGetValue(corrupt.Key, out CorruptResource? existing) && existing == corrupt)
        {
            return;
        }

        _corrupt[corrupt.Key] = corrupt;
        Publish();
    }

    private void ClearCorrupt(string key)
    {
        if (_corrupt.Remove(key))
        {
            Publish();
        }
    }

    private void Publish()
    {
        var list = new List<CorruptResource>(_corrupt.Values);
        list.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        Corrupt = list;
        _changed = true;
    }
}
