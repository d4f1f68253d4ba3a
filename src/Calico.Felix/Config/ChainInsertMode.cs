namespace Calico.Felix.Config;

/// <summary>Upstream <c>ChainInsertMode</c>: where Felix puts its jumps in the kernel's top-level chains.</summary>
public enum ChainInsertMode { Insert, Append }
