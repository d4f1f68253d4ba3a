namespace Calico.Felix.Config;

/// <summary>The effective configuration, the problems met on the way, and where each value came from.</summary>
/// <param name="Config">Typed effective values.</param>
/// <param name="Problems">Rejected or ignored inputs, in the order met.</param>
/// <param name="Origins">For every known parameter (keyed by upstream name, case-insensitive), the winning source.</param>
public sealed record FelixConfigLoadResult(
    FelixConfig Config,
    IReadOnlyList<ConfigProblem> Problems,
    IReadOnlyDictionary<string, ConfigOrigin> Origins)
{
    public void Deconstruct(out FelixConfig config, out IReadOnlyList<ConfigProblem> problems)
    {
        config = Config;
        problems = Problems;
    }

    /// <summary>True when a value upstream would exit on (<c>die-on-fail</c>) was invalid in some source.</summary>
    public bool HasUpstreamFatalProblem => Problems.Any(p => p.IsFatalUpstream);
}
