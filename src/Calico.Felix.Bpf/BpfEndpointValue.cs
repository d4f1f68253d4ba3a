using Calico.Felix.Rules;

namespace Calico.Felix.Bpf;

/// <summary>struct cali_ep_value read back: which rule tables police an interface.</summary>
public sealed record BpfEndpointValue(uint Flags, uint IngressTable, uint EgressTable, EndpointToHostAction ToHostAction)
{
    public bool IsWorkload => (Flags & BpfMapLayout.EndpointWorkload) != 0;

    /// <summary>
    /// The table the program on tc hook <paramref name="tcIngress"/> walks. On a workload's host-side veth tc ingress
    /// sees what the workload sends, so it enforces the endpoint's egress policy (calico_from_wl); tc egress its
    /// ingress policy (calico_to_wl). A host endpoint's hooks face the other way.
    /// </summary>
    public uint TableOfTcHook(bool tcIngress) => IsWorkload == tcIngress ? EgressTable : IngressTable;
}
