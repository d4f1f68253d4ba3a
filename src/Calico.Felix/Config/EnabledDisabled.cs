namespace Calico.Felix.Config;

/// <summary>Upstream's many <c>oneof(Enabled,Disabled)</c> parameters.</summary>
public enum EnabledDisabled { Enabled, Disabled }
