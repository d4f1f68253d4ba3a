namespace Calico.Felix.Config;

/// <summary>Upstream <c>ProgramClusterRoutes</c>.</summary>
public enum ProgramClusterRoutes { Enabled, Disabled, EnabledIPIPOnly, EnabledNoEncapOnly }
