namespace Calico.Felix.Rules;

/// <summary>Felix's <c>DefaultEndpointToHostAction</c>: what happens to workload-to-host traffic its egress policy allowed.</summary>
public enum EndpointToHostAction
{
    Drop,
    Return,
    Accept,
}
