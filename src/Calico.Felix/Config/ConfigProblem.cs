namespace Calico.Felix.Config;

/// <summary>A configuration input that was rejected or ignored; <see cref="Message"/> names source, parameter and value.</summary>
/// <param name="Severity">Warning for ignored input, Error for an invalid value.</param>
/// <param name="Source">The source the input came from.</param>
/// <param name="Parameter">Upstream's parameter name when known, otherwise the raw name.</param>
/// <param name="Message">Complete text, e.g. <c>FELIX_ROUTEREFRESHINTERVAL='abc' (environment): not a duration</c>.</param>
/// <param name="IsFatalUpstream">True for parameters upstream marks <c>die-on-fail</c> (Felix exits on a bad value);
/// the caller decides whether to stop.</param>
public sealed record ConfigProblem(
    ConfigProblemSeverity Severity,
    ConfigSource Source,
    string? Parameter,
    string Message,
    bool IsFatalUpstream = false)
{
    public override string ToString() => Message;
}
