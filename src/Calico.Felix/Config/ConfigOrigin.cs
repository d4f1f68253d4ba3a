namespace Calico.Felix.Config;

/// <summary>Where one effective value came from: the source, the place within it, the name as written, and the raw text.</summary>
/// <param name="Parameter">Upstream's parameter name, e.g. <c>RouteRefreshInterval</c>.</param>
/// <param name="Source">The winning source (<see cref="ConfigSource.Default"/> when nothing set it).</param>
/// <param name="Location"><c>environment</c>, <c>config file line 3</c>, <c>FelixConfiguration node.host1</c> or <c>code default</c>.</param>
/// <param name="Key">The name as written there: <c>FELIX_ROUTEREFRESHINTERVAL</c>, <c>RouteRefreshInterval</c>,
/// <c>routeRefreshInterval</c> (spec field); the parameter name for a code default.</param>
/// <param name="RawValue">The text that was parsed.</param>
public sealed record ConfigOrigin(string Parameter, ConfigSource Source, string Location, string Key, string RawValue)
{
    public override string ToString() => $"{Parameter}='{RawValue}' from {Key} ({Location})";
}
