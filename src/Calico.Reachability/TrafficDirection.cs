namespace Calico.Reachability;

/// <summary>Ingress = traffic to the endpoint (inbound rules); egress = traffic from it (outbound rules).</summary>
public enum TrafficDirection
{
    Ingress,
    Egress,
}
