using System.Security.Cryptography;
using System.Text;
using Calico.Api;

namespace Calico.Cni;

/// <summary>
/// Who the workload is, as upstream names it: a Kubernetes pod when CNI_ARGS carries both K8S_POD_NAMESPACE and
/// K8S_POD_NAME, else a plain CNI container in namespace <c>default</c>.
/// </summary>
internal sealed record WorkloadIdentity
{
    public const string OrchestratorKubernetes = "k8s";
    public const string OrchestratorCni = "cni";

    public required string Orchestrator { get; init; }

    public required string Namespace { get; init; }

    public string? Pod { get; init; }

    public required string ContainerId { get; init; }

    public required string Endpoint { get; init; }

    public required string Node { get; init; }

    public required string WepName { get; init; }

    public required string HostIfName { get; init; }

    public required string HandleId { get; init; }

    /// <summary>Profiles the endpoint lists: kns.&lt;ns&gt; for pods, the network's name otherwise.</summary>
    public required IReadOnlyList<string> Profiles { get; init; }

    public bool IsKubernetes => Orchestrator == OrchestratorKubernetes;

    public static WorkloadIdentity From(NetConf conf, CniEnvironment env, string node)
    {
        ArgumentNullException.ThrowIfNull(conf);
        ArgumentNullException.ThrowIfNull(env);
        var k8s = env.K8sPodNamespace is not null && env.K8sPodName is not null;
        var spec = new WorkloadEndpointSpec
        {
            Orchestrator = k8s ? OrchestratorKubernetes : OrchestratorCni,
            Node = node,
            ContainerID = env.ContainerId,
            Pod = k8s ? env.K8sPodName : null,
            Endpoint = env.IfName,
        };
        if (!WorkloadEndpointNames.TryCompute(spec, out var name, out var error))
        {
            var source = error!.Field switch
            {
                "node" => "nodename",
                "pod" => "CNI_ARGS K8S_POD_NAME",
                "containerID" => "CNI_CONTAINERID",
                "endpoint" => "CNI_IFNAME",
                _ => error.Field,
            };
            throw new CniException(
                error.Field == "node" ? CniErrorCodes.InvalidConfig : CniErrorCodes.InvalidEnvironment,
                $"cannot name the workload endpoint: {source} {error}");
        }

        return new WorkloadIdentity
        {
            Orchestrator = spec.Orchestrator,
            Namespace = k8s ? env.K8sPodNamespace! : "default",
            Pod = spec.Pod,
            ContainerId = env.ContainerId,
            Endpoint = env.IfName,
            Node = node,
            WepName = name,
            HostIfName = k8s ? HostVethNameForPod(env.K8sPodNamespace!, env.K8sPodName!) : HostVethNameForContainer(env.ContainerId),
            HandleId = conf.Name + "." + env.ContainerId,
            Profiles = k8s ? ["kns." + env.K8sPodNamespace] : [conf.Name],
        };
    }

    /// <summary>Upstream: <c>cali</c> + the first 11 hex characters of SHA-1("&lt;namespace&gt;.&lt;pod&gt;").</summary>
    public static string HostVethNameForPod(string ns, string pod)
    {
#pragma warning disable CA5350 // A name, not security: upstream's veth names are SHA-1 and must match.
        var hash = SHA1.HashData(Encoding.UTF8.GetBytes(ns + "." + pod));
#pragma warning restore CA5350
        return "cali" + Convert.ToHexStringLower(hash)[..11];
    }

    /// <summary>Upstream, other orchestrators: <c>cali</c> + the first 11 characters of the container ID.</summary>
    public static string HostVethNameForContainer(string containerId) =>
        "cali" + (containerId.Length > 11 ? containerId[..11] : containerId);
}
