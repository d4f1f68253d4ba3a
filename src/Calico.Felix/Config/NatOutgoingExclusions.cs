namespace Calico.Felix.Config;

/// <summary>Upstream <c>NATOutgoingExclusions</c>.</summary>
public enum NatOutgoingExclusions { IPPoolsOnly, IPPoolsAndHostIPs }
