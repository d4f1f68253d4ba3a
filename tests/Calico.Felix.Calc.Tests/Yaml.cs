namespace Calico.Felix.Calc.Tests;

/// <summary>Small YAML builders for test resources.</summary>
internal static class Yaml
{
    public static string Wep(string ns, string pod, string ip, string labels = "", string node = "node1", string? profiles = null, string ports = "", string extra = "") => $$"""
        apiVersion: projectcalico.org/v3
        kind: WorkloadEndpoint
        metadata:
          name: {{node}}-k8s-{{pod}}-eth0
          namespace: {{ns}}
          labels: {projectcalico.org/namespace: {{ns}}, projectcalico.org/orchestrator: k8s{{(labels.Length > 0 ? ", " + labels : "")}}}
        spec:
          orchestrator: k8s
          node: {{node}}
          pod: {{pod}}
          endpoint: eth0
          interfaceName: cali-{{node}}-k8s-{{pod}}-eth0
          ipNetworks: [{{ip}}]
          profiles: [{{profiles ?? "kns." + ns}}]
          ports: [{{ports}}]
        {{extra}}
        ---

        """;

    public static string Namespace(string ns, string labels = "") => $$"""
        apiVersion: projectcalico.org/v3
        kind: Profile
        metadata:
          name: kns.{{ns}}
        spec:
          ingress: [{action: Allow}]
          egress: [{action: Allow}]
          labelsToApply: {pcns.projectcalico.org/name: {{ns}}{{(labels.Length > 0 ? ", " + labels : "")}}}
        ---

        """;
}
