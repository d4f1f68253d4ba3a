namespace Calico.Felix.Config;

/// <summary>Upstream <c>IptablesBackend</c> (legacy/nft/auto).</summary>
public enum IptablesBackend { Legacy, Nft, Auto }
