namespace Calico.Felix.Calc.Internal;

/// <summary>
/// One active IP set: reference-counted members (a member stays while any contributor gives it) and the changes
/// not yet flushed. <see cref="NeedsFullUpdate"/> means the next flush sends the whole set (it is new, or was removed
/// and re-created since the last flush), so no delta is tracked meanwhile.
/// </summary>
internal sealed class IpSetState(IpSetDefinition definition)
{
    public IpSetDefinition Definition { get; } = definition;

    public int RefCount { get; set; } = 1;

    public Dictionary<string, int> Members { get; } = new(StringComparer.Ordinal);

    public HashSet<string> PendingAdded { get; } = new(StringComparer.Ordinal);

    public HashSet<string> PendingRemoved { get; } = new(StringComparer.Ordinal);

    public bool NeedsFullUpdate { get; set; } = true;

    /// <summary>Adds one contribution; true when the member is new (so the set changed).</summary>
    public bool Add(string member)
    {
        if (Members.TryGetValue(member, out var count))
        {
            Members[member] = count + 1;
            return false;
        }

        Members.Add(member, 1);
        if (!NeedsFullUpdate && !PendingRemoved.Remove(member))
        {
            PendingAdded.Add(member);
        }

        return true;
    }

    /// <summary>Removes one contribution; true when the member is gone (so the set changed).</summary>
    public bool Remove(string member)
    {
        if (!Members.TryGetValue(member, out var count))
        {
            throw new InvalidOperationException($"IP set {Definition.Id}: removing member {member} that was never added");
        }

        if (count > 1)
        {
            Members[member] = count - 1;
            return false;
        }

        Members.Remove(member);
        if (!NeedsFullUpdate && !PendingAdded.Remove(member))
        {
            PendingRemoved.Add(member);
        }

        return true;
    }
}
