namespace Calico.Felix.Agent;

/// <summary>
/// What the agent counts after each batch, for upstream's gauges: cluster-wide (upstream's <c>StatsCollector</c>:
/// hosts, workload and host endpoints, tiers, policies, profiles) and on this host (active endpoints, policies and
/// selectors, i.e. IP sets the active rules use).
/// </summary>
internal readonly record struct AgentCounts(
    int Hosts,
    int WorkloadEndpoints,
    int HostEndpoints,
    int Tiers,
    int Policies,
    int Profiles,
    int LocalEndpoints,
    int LocalPolicies,
    int LocalSelectors);
