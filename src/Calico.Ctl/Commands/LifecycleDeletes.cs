using Calico.Api;
using Calico.Client;
using Calico.Ipam;
using Calico.Lifecycle;

namespace Calico.Ctl.Commands;

/// <summary>
/// <c>calicoctl delete node|ippool</c>: the cascades of <see cref="NodeDeletion"/> and <see cref="PoolDeletion"/>
/// (upstream's clientv3 does them inside Delete), reported like any delete. A run that fails half-way (datastore
/// down, killed) is finished by running the same delete again.
/// </summary>
internal static class LifecycleDeletes
{
    public static bool Handles(ResourceKind kind) => kind.Kind is "Node" or "IPPool" && ResourceIdentity.IsCalicoKind(kind);

    public static async Task<OperationResult> DeleteAsync(ResourceClient client, ResourceKind kind, string name, string? resourceVersion, CancellationToken cancellationToken)
    {
        var ipam = new IpamClient(client.Store, TimeProvider.System);
        try
        {
            if (kind.Kind == "Node")
            {
                var node = await NodeDeletion.RunAsync(client, ipam, name, new NodeDeletionOptions { ResourceVersion = resourceVersion }, cancellationToken).ConfigureAwait(false);
                return node.Node;
            }

            var pool = await PoolDeletion.RunAsync(client, ipam, name, new PoolDeletionOptions { ResourceVersion = resourceVersion }, cancellationToken).ConfigureAwait(false);
            return pool.Pool;
        }
        catch (Exception e) when (e is IpamException or LifecycleException)
        {
            return new OperationResult(OperationStatus.Conflict, null, e.Message + " (run the delete again to finish it)");
        }
    }
}
