namespace Calico.Felix.Config;

/// <summary>Upstream <c>NFTablesMode</c>.</summary>
public enum NftablesMode { Enabled, Disabled, Auto }
