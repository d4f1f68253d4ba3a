using Calico.Api;

namespace Calico.Client;

/// <summary>
/// The datastore lock of upstream's <c>calicoctl datastore migrate lock|unlock</c>: ClusterInformation
/// <c>default</c> with <c>datastoreReady: false</c>. While locked, calico-node and the CNI plugin change nothing and
/// say why; <c>datastore migrate export</c>, <c>ipam split</c> and <c>ipam release --from-report</c> refuse while
/// it is not locked (upstream's rule: they need a datastore nothing else writes).
/// </summary>
public static class DatastoreLock
{
    /// <summary>Upstream's wording when a command needs the lock.</summary>
    public const string NotLockedMessage =
        "Datastore is not locked. Run the `calicoctl datastore migrate lock` command in order to begin migration.";

    /// <summary>True when ClusterInformation <c>default</c> exists and says <c>datastoreReady: false</c>.</summary>
    public static async Task<bool> IsLockedAsync(ResourceClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        return await client.GetAsync(ResourceKinds.ClusterInformation, null, "default", cancellationToken).ConfigureAwait(false)
            is ClusterInformation { Spec.DatastoreReady: false };
    }

    /// <summary>Sets <c>datastoreReady</c> to <c>!locked</c> (compare-and-swap, retried on conflict); creates the
    /// ClusterInformation first when the datastore was never initialised.</summary>
    public static async Task SetLockedAsync(ResourceClient client, bool locked, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        for (int attempt = 0; ; attempt++)
        {
            if (await client.GetAsync(ResourceKinds.ClusterInformation, null, "default", cancellationToken).ConfigureAwait(false) is not ClusterInformation info)
            {
                await client.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (info.Spec.DatastoreReady == !locked)
            {
                return;
            }

            info.Spec.DatastoreReady = !locked;
            OperationResult result = await client.UpdateAsync(info, cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                return;
            }

            if (result.Status != OperationStatus.Conflict || attempt >= 10)
            {
                throw new InvalidOperationException("cannot " + (locked ? "lock" : "unlock") + " the datastore: " + result.Message);
            }
        }
    }
}
