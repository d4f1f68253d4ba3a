using Calico.Api;
using Calico.Client;

namespace Calico.Node.NodeStatuses;

/// <summary>
/// Writes only <c>status</c>: reads the resource, replaces its status, and updates it at the revision it read
/// (compare-and-swap), so a concurrent spec change is never overwritten. On a conflict it reads again and retries
/// while the spec is the one reported for; the datastore keeps one value per resource, so this is the status path.
/// </summary>
internal sealed class ClientNodeStatusWriter(ResourceClient client) : INodeStatusWriter
{
    private const int Attempts = 3;

    /// <summary>While the datastore is locked (a migration), reports wait for the unlock.</summary>
    public Startup.DatastoreReadyGate? Gate { get; init; }

    public async Task<bool> WriteStatusAsync(string name, CalicoNodeStatusSpec spec, CalicoNodeStatusStatus status, CancellationToken cancellationToken)
    {
        if (Gate is not null)
        {
            await Gate.WaitUntilUnlockedAsync("CalicoNodeStatus reports", cancellationToken).ConfigureAwait(false);
        }

        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            if (await client.GetAsync(ResourceKinds.CalicoNodeStatus, null, name, cancellationToken).ConfigureAwait(false) is not CalicoNodeStatus current
                || !NodeStatusSpecs.Same(current.Spec, spec))
            {
                return false;
            }

            current.Status = status;
            OperationResult result = await client.UpdateAsync(current, cancellationToken).ConfigureAwait(false);
            switch (result.Status)
            {
                case OperationStatus.Ok:
                    return true;
                case OperationStatus.NotFound:
                    return false;
                case OperationStatus.Conflict:
                    continue;
                default:
                    throw new InvalidOperationException(result.Message);
            }
        }

        throw new InvalidOperationException($"CalicoNodeStatus({name}) kept changing: status not written after {Attempts} attempts");
    }
}
