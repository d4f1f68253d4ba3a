using Calico.Api;
using Calico.Datastore;

namespace Calico.Client;

/// <summary>Whole-store reads for tools that reason over everything at once (policy explain, simulate, conformance).</summary>
public sealed partial class ResourceClient
{
    /// <summary>
    /// Every stored resource of every kind (Kubernetes objects and the Calico objects converted from them alike),
    /// kind by kind in <see cref="ResourceKinds.All"/> order, plus the synthesized default-allow profile.
    /// </summary>
    public async Task<IReadOnlyList<Resource>> ListAllAsync(CancellationToken cancellationToken)
    {
        var all = new List<Resource>();
        foreach (var kind in ResourceKinds.All)
        {
            var (items, _) = await ListAsync(kind, null, cancellationToken).ConfigureAwait(false);
            all.AddRange(items);
        }

        return all;
    }

    /// <summary>
    /// Copies every key under <c>/calico/</c> into <paramref name="target"/> as it is stored (no conversion, no
    /// validation), so a throw-away store starts as an exact copy of this one.
    /// </summary>
    public async Task CopyToAsync(IKeyValueStore target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var list = await Store.ListAsync("/calico/", cancellationToken).ConfigureAwait(false);
        foreach (var kv in list.Items)
        {
            await target.UpdateAsync(kv.Key, kv.Value, 0, cancellationToken).ConfigureAwait(false);
        }
    }
}
