namespace Calico.Felix.Rules.FlowLogs;

/// <summary>The policy direction of a logged rule: ingress (to the endpoint, NFLOG group 1) or egress (group 2).</summary>
public enum FlowLogDirection
{
    Ingress,
    Egress,
}
