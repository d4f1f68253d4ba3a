using Calico.Api;
using Calico.Felix.Calc;
using Calico.Felix.Calc.Model;

namespace Calico.Reachability;

/// <summary>
/// Feeds a snapshot of stored resources through a calculation graph, as Felix's syncer does at start-up
/// (every object, then in-sync), and applies the graph's output to a fresh <see cref="DataplaneState"/>.
/// Only Calico kinds are fed: Kubernetes objects reach agents as the Calico objects converted from them.
/// </summary>
public static class DataplaneLoader
{
    public static DataplaneState Load(IEnumerable<Resource> resources) => Load(resources, GraphFactory.CreateForAllHosts());

    public static DataplaneState Load(IEnumerable<Resource> resources, ICalculationGraph graph)
    {
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentNullException.ThrowIfNull(graph);
        var state = new DataplaneState();
        foreach (var resource in resources)
        {
            var kind = ResourceKinds.Of(resource);
            if (kind.ApiVersion != Resource.CalicoApiVersion)
            {
                continue;
            }

            graph.OnUpdate(new ResourceUpdate(kind, kind.Namespaced ? resource.Metadata.Namespace : null, resource.Metadata.Name ?? "", resource));
        }

        graph.OnInSync();
        state.Apply(graph.Flush());
        return state;
    }
}
