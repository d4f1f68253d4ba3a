namespace Calico.Felix.Dataplane;

/// <summary>
/// One dataplane manager (upstream Felix's <c>Manager</c>): it is handed the desired state of its part of the
/// kernel, applies it, and reports what it did. Called from one loop only; an apply that throws leaves the kernel
/// as the manager's own contract says (nftables: as before, in one transaction) and the next apply converges.
/// </summary>
/// <typeparam name="TDesired">The part of the desired dataplane this manager owns.</typeparam>
public interface IDataplaneManager<in TDesired>
{
    Task<DataplaneReport> ApplyAsync(TDesired desired, CancellationToken cancellationToken);
}
