namespace Calico.Api;

/// <summary>
/// The name a WorkloadEndpoint must have: node, orchestrator, workload identity and endpoint joined by '-',
/// each '-' inside a segment doubled (libcalico-go names.CalculateWorkloadEndpointName).
/// </summary>
public static class WorkloadEndpointNames
{
    /// <summary>Computes the name; on failure <paramref name="error"/> names the offending segment.</summary>
    public static bool TryCompute(WorkloadEndpointSpec spec, out string name, out FieldError? error)
    {
        ArgumentNullException.ThrowIfNull(spec);
        name = "";
        error = null;
        if (string.IsNullOrEmpty(spec.Node))
        {
            error = new FieldError("node", null, "field should be assigned");
            return false;
        }
        var orch = spec.Orchestrator ?? "";
        (string Field, string Value)[] segments = orch switch
        {
            "k8s" => [("node", spec.Node), ("orchestrator", orch), ("pod", spec.Pod ?? ""), ("endpoint", spec.Endpoint ?? "")],
            "cni" => [("node", spec.Node), ("orchestrator", orch), ("containerID", spec.ContainerID ?? ""), ("endpoint", spec.Endpoint ?? "")],
            "libnetwork" => [("node", spec.Node), ("orchestrator", orch), ("orchestrator", orch), ("endpoint", spec.Endpoint ?? "")],
            _ => [("node", spec.Node), ("orchestrator", orch), ("workload", spec.Workload ?? ""), ("endpoint", spec.Endpoint ?? "")],
        };
        var parts = new List<string>(4);
        foreach (var (field, value) in segments)
        {
            if (value.Length == 0)
            {
                error = new FieldError(field, "", "field should be assigned");
                return false;
            }
            if (value[0] == '-')
            {
                error = new FieldError(field, value, "field must not begin with a '-'");
                return false;
            }
            if (value[^1] == '-')
            {
                error = new FieldError(field, value, "field must not end with a '-'");
                return false;
            }
            parts.Add(value.Replace("-", "--", StringComparison.Ordinal));
        }
        name = string.Join('-', parts);
        return true;
    }
}
