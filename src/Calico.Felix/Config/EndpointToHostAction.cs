namespace Calico.Felix.Config;

/// <summary>Upstream <c>DefaultEndpointToHostAction</c> (DROP/RETURN/ACCEPT).</summary>
public enum EndpointToHostAction { Drop, Return, Accept }
