using Calico.Datastore;

namespace Calico.Ipam;

/// <summary>What deleting a leaked handle found: deleted, already gone, or changed since it was reported.</summary>
public enum HandleDeleteOutcome
{
    Deleted,
    Missing,
    Changed,
}

/// <summary>Handle revisions for <c>calicoctl ipam check -o</c> reports and the guarded delete <c>ipam release --from-report</c> does.</summary>
public sealed partial class IpamClient
{
    /// <summary>Every handle's stored revision (what upstream's report records as the handle's <c>Revision</c>).</summary>
    public async Task<IReadOnlyDictionary<string, long>> ListHandleRevisionsAsync(CancellationToken cancellationToken)
    {
        var list = await Store.ListAsync(ResourceKeys.IpamHandlePrefix, cancellationToken).ConfigureAwait(false);
        var result = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var kv in list.Items)
        {
            result[kv.Key[ResourceKeys.IpamHandlePrefix.Length..]] = kv.Revision;
        }

        return result;
    }

    /// <summary>
    /// Deletes the handle only if it is still at <paramref name="revision"/> (upstream's <c>deleteHandle</c>): a handle
    /// written since the report (an address assigned to it) is left alone.
    /// </summary>
    public async Task<HandleDeleteOutcome> DeleteHandleIfUnchangedAsync(string handleId, long revision, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(handleId);
        if (revision <= 0)
        {
            return HandleDeleteOutcome.Changed;
        }

        var result = await Store.DeleteAsync(ResourceKeys.IpamHandle(handleId), revision, cancellationToken).ConfigureAwait(false);
        return result.Status switch
        {
            WriteStatus.Ok => HandleDeleteOutcome.Deleted,
            WriteStatus.NotFound => HandleDeleteOutcome.Missing,
            _ => result.Current is null ? HandleDeleteOutcome.Missing : HandleDeleteOutcome.Changed,
        };
    }
}
