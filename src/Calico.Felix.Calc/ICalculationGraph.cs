using Calico.Api;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Calc;

/// <summary>
/// A datastore change as the graph consumes it: the kind, the resource's namespace and name, and the new
/// value (null when deleted). Values are already decoded and defaulted (as read back from the store).
/// </summary>
public sealed record ResourceUpdate(ResourceKind Kind, string? Namespace, string Name, Resource? Value);

/// <summary>
/// The calculation graph for one host: single-threaded and synchronous. Feed updates, then <see cref="Flush"/>
/// returns the dataplane updates they cause, in the dataplane's ordering contract. The cost of an update
/// follows what it changes, not the size of the cluster.
/// </summary>
public interface ICalculationGraph
{
    void OnUpdate(ResourceUpdate update);

    /// <summary>The datastore has delivered its initial snapshot.</summary>
    void OnInSync();

    /// <summary>The dataplane updates caused since the last flush.</summary>
    IReadOnlyList<DataplaneUpdate> Flush();
}
