using System.Diagnostics.CodeAnalysis;
using Calico.Selectors;

namespace Calico.Felix.Calc.Internal;

/// <summary>
/// Incremental "which selectors match which items" (upstream <c>felix/labelindex</c>). An item's labels are its own
/// labels layered over its parents' (profiles') labels, looked up in place so a parent change is seen by every child
/// without copying. Selectors are indexed by the label their restrictions require (key and values, or key only);
/// items are indexed by their effective (key, value) pairs. An item change therefore evaluates only the selectors
/// that could match it (plus those it matched), and a selector change only the items that could match it.
/// Start/stop callbacks fire synchronously, once per transition.
/// </summary>
internal sealed class LabelIndex<TItem, TSel>
    where TItem : notnull
    where TSel : notnull
{
    private static readonly Dictionary<string, string> s_noLabels = new(StringComparer.Ordinal);

    private readonly Dictionary<TItem, ItemData> _items = [];
    private readonly Dictionary<TSel, SelectorData> _selectors = [];
    private readonly Dictionary<string, ParentData> _parents = new(StringComparer.Ordinal);

    private readonly Dictionary<string, Dictionary<string, HashSet<SelectorData>>> _selectorsByKeyValue = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<SelectorData>> _selectorsByKey = new(StringComparer.Ordinal);
    private readonly HashSet<SelectorData> _unindexedSelectors = [];
    private readonly Dictionary<string, Dictionary<string, HashSet<ItemData>>> _itemsByKeyValue = new(StringComparer.Ordinal);

    private readonly Action<TSel, TItem> _onMatchStarted;
    private readonly Action<TSel, TItem> _onMatchStopped;

    private readonly List<SelectorData> _selectorScratch = [];
    private readonly List<ItemData> _itemScratch = [];
    private readonly HashSet<string> _seenKeys = new(StringComparer.Ordinal);
    private long _stamp;

    public LabelIndex(Action<TSel, TItem> onMatchStarted, Action<TSel, TItem> onMatchStopped)
    {
        _onMatchStarted = onMatchStarted;
        _onMatchStopped = onMatchStopped;
    }

    /// <summary>Selector evaluations so far (tests assert that an update touches only what it must).</summary>
    public long Evaluations { get; private set; }

    public bool TryGetMatches(TSel selector, [NotNullWhen(true)] out IReadOnlyCollection<TItem>? items)
    {
        if (_selectors.TryGetValue(selector, out var data))
        {
            items = data.Matches;
            return true;
        }

        items = null;
        return false;
    }

    public void UpdateSelector(TSel key, Selector selector)
    {
        if (_selectors.TryGetValue(key, out var data))
        {
            if (string.Equals(data.Selector.Canonical, selector.Canonical, StringComparison.Ordinal))
            {
                return;
            }

            UnindexSelector(data);
            data.Selector = selector;
        }
        else
        {
            data = new SelectorData(key, selector);
            _selectors.Add(key, data);
        }

        IndexSelector(data);
        var stamp = ++_stamp;
        _itemScratch.Clear();
        if (data.Impossible)
        {
            // Only current matches can change (they all stop).
        }
        else if (data.IndexKey is null)
        {
            foreach (var item in _items.Values)
            {
                AddItemCandidate(item, stamp);
            }
        }
        else if (_itemsByKeyValue.TryGetValue(data.IndexKey, out var byValue))
        {
            if (data.IndexValues is null)
            {
                foreach (var items in byValue.Values)
                {
                    foreach (var item in items)
                    {
                        AddItemCandidate(item, stamp);
                    }
                }
            }
            else
            {
                foreach (var value in data.IndexValues)
                {
                    if (byValue.TryGetValue(value, out var items))
                    {
                        foreach (var item in items)
                        {
                            AddItemCandidate(item, stamp);
                        }
                    }
                }
            }
        }

        foreach (var matched in data.Matches)
        {
            AddItemCandidate(_items[matched], stamp);
        }

        // Scratch is copied because callbacks may re-enter other indexes (never this one's scratch users).
        var candidates = _itemScratch.ToArray();
        foreach (var item in candidates)
        {
            Evaluate(data, item);
        }
    }

    public void DeleteSelector(TSel key)
    {
        if (!_selectors.Remove(key, out var data))
        {
            return;
        }

        UnindexSelector(data);
        if (data.Matches.Count > 0)
        {
            var matched = new TItem[data.Matches.Count];
            data.Matches.CopyTo(matched);
            foreach (var itemKey in matched)
            {
                data.Matches.Remove(itemKey);
                _items[itemKey].Matches.Remove(data);
                _onMatchStopped(key, itemKey);
            }
        }
    }

    public void UpdateItem(TItem key, IReadOnlyDictionary<string, string> labels, IReadOnlyList<string> parentIds)
    {
        if (_items.TryGetValue(key, out var item))
        {
            if (SameLabels(item.Labels, labels) && SameParents(item.Parents, parentIds))
            {
                return;
            }

            UnindexItem(item);
            UnlinkParents(item);
        }
        else
        {
            item = new ItemData(key);
            _items.Add(key, item);
        }

        item.Labels = labels;
        item.Parents = LinkParents(item, parentIds);
        IndexItem(item);
        Reevaluate(item);
    }

    public void DeleteItem(TItem key)
    {
        if (!_items.Remove(key, out var item))
        {
            return;
        }

        UnindexItem(item);
        UnlinkParents(item);
        if (item.Matches.Count > 0)
        {
            var matched = new SelectorData[item.Matches.Count];
            item.Matches.CopyTo(matched);
            foreach (var sel in matched)
            {
                sel.Matches.Remove(key);
                item.Matches.Remove(sel);
                _onMatchStopped(sel.Key, key);
            }
        }
    }

    /// <summary>A parent's (profile's) labels changed; null when it is gone (children then inherit nothing from it).</summary>
    public void UpdateParentLabels(string parentId, IReadOnlyDictionary<string, string>? labels)
    {
        labels ??= s_noLabels;
        if (!_parents.TryGetValue(parentId, out var parent))
        {
            if (labels.Count == 0)
            {
                return;
            }

            parent = new ParentData(parentId);
            _parents.Add(parentId, parent);
        }

        if (SameLabels(parent.Labels, labels))
        {
            return;
        }

        if (parent.Children.Count == 0)
        {
            parent.Labels = labels;
            if (labels.Count == 0)
            {
                _parents.Remove(parentId);
            }

            return;
        }

        var children = new ItemData[parent.Children.Count];
        parent.Children.CopyTo(children);
        foreach (var child in children)
        {
            UnindexItem(child);
        }

        parent.Labels = labels;
        foreach (var child in children)
        {
            IndexItem(child);
        }

        foreach (var child in children)
        {
            Reevaluate(child);
        }
    }

    private void Reevaluate(ItemData item)
    {
        var stamp = ++_stamp;
        _selectorScratch.Clear();
        ForEachEffectiveLabel(item, (key, value) =>
        {
            if (_selectorsByKeyValue.TryGetValue(key, out var byValue) && byValue.TryGetValue(value, out var sels))
            {
                foreach (var sel in sels)
                {
                    AddSelectorCandidate(sel, stamp);
                }
            }

            if (_selectorsByKey.TryGetValue(key, out var keySels))
            {
                foreach (var sel in keySels)
                {
                    AddSelectorCandidate(sel, stamp);
                }
            }
        });
        foreach (var sel in _unindexedSelectors)
        {
            AddSelectorCandidate(sel, stamp);
        }

        foreach (var sel in item.Matches)
        {
            AddSelectorCandidate(sel, stamp);
        }

        var candidates = _selectorScratch.ToArray();
        foreach (var sel in candidates)
        {
            Evaluate(sel, item);
        }
    }

    private void AddSelectorCandidate(SelectorData sel, long stamp)
    {
        if (sel.Stamp != stamp)
        {
            sel.Stamp = stamp;
            _selectorScratch.Add(sel);
        }
    }

    private void AddItemCandidate(ItemData item, long stamp)
    {
        if (item.Stamp != stamp)
        {
            item.Stamp = stamp;
            _itemScratch.Add(item);
        }
    }

    private void Evaluate(SelectorData sel, ItemData item)
    {
        Evaluations++;
        var matches = !sel.Impossible && sel.Selector.Matches(new ItemLabels(item));
        var matched = sel.Matches.Contains(item.Key);
        if (matches == matched)
        {
            return;
        }

        if (matches)
        {
            sel.Matches.Add(item.Key);
            item.Matches.Add(sel);
            _onMatchStarted(sel.Key, item.Key);
        }
        else
        {
            sel.Matches.Remove(item.Key);
            item.Matches.Remove(sel);
            _onMatchStopped(sel.Key, item.Key);
        }
    }

    private void IndexSelector(SelectorData data)
    {
        data.IndexKey = null;
        data.IndexValues = null;
        data.Impossible = false;
        string? bestKey = null;
        IReadOnlyList<string>? bestValues = null;
        foreach (var (key, restriction) in data.Selector.GetLabelRestrictions())
        {
            if (!restriction.PossibleToSatisfy)
            {
                data.Impossible = true;
                return;
            }

            if (!restriction.MustBePresent && restriction.MustHaveOneOfValues is null)
            {
                continue;
            }

            var values = restriction.MustHaveOneOfValues;
            var better = bestKey is null
                || (values is not null && (bestValues is null || values.Count < bestValues.Count))
                || (values is null && bestValues is null && string.CompareOrdinal(key, bestKey) < 0);
            if (better)
            {
                bestKey = key;
                bestValues = values;
            }
        }

        if (bestKey is null)
        {
            _unindexedSelectors.Add(data);
            return;
        }

        data.IndexKey = bestKey;
        if (bestValues is null)
        {
            GetOrAdd(_selectorsByKey, bestKey).Add(data);
            return;
        }

        data.IndexValues = [.. bestValues];
        var byValue = GetOrAdd(_selectorsByKeyValue, bestKey);
        foreach (var value in data.IndexValues)
        {
            GetOrAdd(byValue, value).Add(data);
        }
    }

    private void UnindexSelector(SelectorData data)
    {
        if (data.Impossible)
        {
            return;
        }

        if (data.IndexKey is null)
        {
            _unindexedSelectors.Remove(data);
            return;
        }

        if (data.IndexValues is null)
        {
            RemoveFrom(_selectorsByKey, data.IndexKey, data);
            return;
        }

        var byValue = _selectorsByKeyValue[data.IndexKey];
        foreach (var value in data.IndexValues)
        {
            RemoveFrom(byValue, value, data);
        }

        if (byValue.Count == 0)
        {
            _selectorsByKeyValue.Remove(data.IndexKey);
        }
    }

    private void IndexItem(ItemData item) =>
        ForEachEffectiveLabel(item, (key, value) => GetOrAdd(GetOrAdd(_itemsByKeyValue, key), value).Add(item));

    private void UnindexItem(ItemData item) =>
        ForEachEffectiveLabel(item, (key, value) =>
        {
            var byValue = _itemsByKeyValue[key];
            RemoveFrom(byValue, value, item);
            if (byValue.Count == 0)
            {
                _itemsByKeyValue.Remove(key);
            }
        });

    /// <summary>Each effective label once: own labels win, then parents in order.</summary>
    private void ForEachEffectiveLabel(ItemData item, Action<string, string> action)
    {
        foreach (var (key, value) in item.Labels)
        {
            action(key, value);
        }

        if (item.Parents.Length == 0)
        {
            return;
        }

        _seenKeys.Clear();
        foreach (var key in item.Labels.Keys)
        {
            _seenKeys.Add(key);
        }

        foreach (var parent in item.Parents)
        {
            foreach (var (key, value) in parent.Labels)
            {
                if (_seenKeys.Add(key))
                {
                    action(key, value);
                }
            }
        }
    }

    private ParentData[] LinkParents(ItemData item, IReadOnlyList<string> parentIds)
    {
        if (parentIds.Count == 0)
        {
            return [];
        }

        var parents = new ParentData[parentIds.Count];
        for (var i = 0; i < parentIds.Count; i++)
        {
            if (!_parents.TryGetValue(parentIds[i], out var parent))
            {
                parent = new ParentData(parentIds[i]);
                _parents.Add(parentIds[i], parent);
            }

            parent.Children.Add(item);
            parents[i] = parent;
        }

        return parents;
    }

    private void UnlinkParents(ItemData item)
    {
        foreach (var parent in item.Parents)
        {
            parent.Children.Remove(item);
            if (parent.Children.Count == 0 && parent.Labels.Count == 0)
            {
                _parents.Remove(parent.Id);
            }
        }

        item.Parents = [];
    }

    private static bool SameParents(ParentData[] parents, IReadOnlyList<string> ids)
    {
        if (parents.Length != ids.Count)
        {
            return false;
        }

        for (var i = 0; i < parents.Length; i++)
        {
            if (!string.Equals(parents[i].Id, ids[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    internal static bool SameLabels(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a.Count != b.Count)
        {
            return false;
        }

        foreach (var (key, value) in a)
        {
            if (!b.TryGetValue(key, out var other) || !string.Equals(value, other, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static TValue GetOrAdd<TValue>(Dictionary<string, TValue> map, string key)
        where TValue : new()
    {
        if (!map.TryGetValue(key, out var value))
        {
            value = new TValue();
            map.Add(key, value);
        }

        return value;
    }

    private static void RemoveFrom<TValue>(Dictionary<string, HashSet<TValue>> map, string key, TValue value)
    {
        if (map.TryGetValue(key, out var set) && set.Remove(value) && set.Count == 0)
        {
            map.Remove(key);
        }
    }

    private sealed class ParentData(string id)
    {
        public string Id { get; } = id;

        public IReadOnlyDictionary<string, string> Labels { get; set; } = s_noLabels;

        public HashSet<ItemData> Children { get; } = [];
    }

    private sealed class ItemData(TItem key)
    {
        public TItem Key { get; } = key;

        public IReadOnlyDictionary<string, string> Labels { get; set; } = s_noLabels;

        public ParentData[] Parents { get; set; } = [];

        public HashSet<SelectorData> Matches { get; } = [];

        public long Stamp { get; set; }
    }

    private sealed class SelectorData(TSel key, Selector selector)
    {
        public TSel Key { get; } = key;

        public Selector Selector { get; set; } = selector;

        public string? IndexKey { get; set; }

        public string[]? IndexValues { get; set; }

        public bool Impossible { get; set; }

        public HashSet<TItem> Matches { get; } = [];

        public long Stamp { get; set; }
    }

    /// <summary>The item's labels over its parents' labels, read in place (no merged copy).</summary>
    private readonly struct ItemLabels(ItemData item) : ILabelSource
    {
        public bool TryGet(string key, [MaybeNullWhen(false)] out string value)
        {
            if (item.Labels.TryGetValue(key, out value))
            {
                return true;
            }

            var parents = item.Parents;
            for (var i = 0; i < parents.Length; i++)
            {
                if (parents[i].Labels.TryGetValue(key, out value))
                {
                    return true;
                }
            }

            value = null;
            return false;
        }
    }
}
