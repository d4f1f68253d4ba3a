namespace Calico.Felix.Config;

/// <summary>Upstream <c>IptablesFilterDenyAction</c> / <c>NftablesFilterDenyAction</c>.</summary>
public enum DenyAction { Drop, Reject }
