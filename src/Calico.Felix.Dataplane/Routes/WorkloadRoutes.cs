using System.Net;

namespace Calico.Felix.Dataplane.Routes;

/// <summary>
/// The desired local workload routes: host routes (/32, /128) per workload interface. <paramref name="AllowRemovals"/>
/// is true once the datastore is in sync (nothing is removed before).
/// </summary>
public sealed record WorkloadRoutes(IReadOnlyDictionary<string, IPNetwork[]> ByInterface, bool AllowRemovals);
