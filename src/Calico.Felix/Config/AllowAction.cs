namespace Calico.Felix.Config;

/// <summary>Upstream <c>IptablesFilterAllowAction</c> / <c>NftablesFilterAllowAction</c> / mangle variants.</summary>
public enum AllowAction { Accept, Return }
