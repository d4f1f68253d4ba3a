namespace Calico.Node.Routing;

/// <summary>A host interface as MTU detection sees it: name, MTU, and whether it is operationally up (IFF_RUNNING).</summary>
internal sealed record HostLink(string Name, int Mtu, bool Running);
