namespace Calico.Felix.Bpf;

/// <summary>
/// Ids for rule tables and IP sets, by content key, kept across compilations: unchanged content keeps its id (no map
/// write), new content gets a fresh one. Ids only grow and are never handed out twice, so a table being written under a
/// new id can never be one the program still reads (the atomic flip: write the new table, switch the endpoint, delete
/// the old one). 0 is never an id (the maps' "none").
/// </summary>
public sealed class BpfIdAllocator
{
    private readonly Dictionary<string, uint> _ids = new(StringComparer.Ordinal);
    private uint _last;

    public uint IdFor(string contentKey)
    {
        ArgumentNullException.ThrowIfNull(contentKey);
        if (_ids.TryGetValue(contentKey, out uint id))
        {
            return id;
        }

        // 2^32 - 1 tables or sets over one agent's lifetime: a restart (which rebuilds the maps) comes first.
        id = checked(++_last);
        _ids.Add(contentKey, id);
        return id;
    }

    /// <summary>The id <paramref name="contentKey"/> already has, without allocating one (what a cached compilation checks).</summary>
    public bool TryGet(string contentKey, out uint id) => _ids.TryGetValue(contentKey, out id);

    /// <summary>
    /// Makes every later id larger than <paramref name="id"/>: after a restart, the maps still hold what the previous
    /// agent wrote, and a new table must not be written under an id an endpoint may still point to.
    /// </summary>
    public void SkipPast(uint id)
    {
        if (id > _last)
        {
            _last = id;
        }
    }

    /// <summary>Forgets every key not in <paramref name="keep"/> (their ids are never reused).</summary>
    public void RetainOnly(IReadOnlySet<string> keep)
    {
        ArgumentNullException.ThrowIfNull(keep);
        foreach (string key in _ids.Keys.ToList())
        {
            if (!keep.Contains(key))
            {
                _ids.Remove(key);
                Forgotten++;
            }
        }
    }

    /// <summary>
    /// How many keys were ever forgotten: while it stays the same, every key seen before still has its id (ids of
    /// kept keys never change), so a cache need not check them one by one.
    /// </summary>
    public long Forgotten { get; private set; }

    public int Count => _ids.Count;
}
