using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules;

/// <summary>Per-render values derived once from the config.</summary>
internal sealed class RenderContext
{
    public RenderContext(DataplaneState state, RenderConfig config)
    {
        State = state;
        Config = config;
        Accept = config.AcceptMark;
        Pass = config.PassMark;
        ClearAcceptAndPass = ~(config.AcceptMark | config.PassMark);
        ClearPass = ~config.PassMark;
        WorkloadWildcard = new NftInterfaceName(config.InterfacePrefix, wildcard: true);
    }

    public DataplaneState State { get; }

    public RenderCache? Cache { get; init; }

    /// <summary>Shared state of rule-run merging; null when <see cref="RenderConfig.MergeRuleRuns"/> is off.</summary>
    public Merging.MergeContext? Merge { get; init; }

    public RenderConfig Config { get; }

    /// <summary>While an endpoint chain renders with a cache: collects what it produced besides its text.</summary>
    public EndpointChainEntry? EndpointCapture { get; set; }

    /// <summary>Names of the endpoint chains this build rendered (the cache keeps only those).</summary>
    public HashSet<string> EndpointChainsRendered { get; } = new(StringComparer.Ordinal);

    public uint Accept { get; }

    public uint Pass { get; }

    public uint ClearAcceptAndPass { get; }

    public uint ClearPass { get; }

    /// <summary><c>"cali*"</c>: every workload interface.</summary>
    public NftInterfaceName WorkloadWildcard { get; }
}
