using Calico.Api;

namespace Calico.Node.NodeStatuses;

/// <summary>Writes the <c>status</c> of one CalicoNodeStatus (tests record the writes).</summary>
internal interface INodeStatusWriter
{
    /// <summary>
    /// Replaces the status of <paramref name="name"/> if its spec is still <paramref name="spec"/>; false when the
    /// resource is gone or its spec changed meanwhile (the new spec reaches the reporter and is reported then).
    /// </summary>
    Task<bool> WriteStatusAsync(string name, CalicoNodeStatusSpec spec, CalicoNodeStatusStatus status, CancellationToken cancellationToken);
}
