using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules;

/// <summary>Per-render values derived once from the config.</summary>
internal sealed class RenderContext
{
    public RenderContext(DataplaneState state, RenderConfig config)
    {
        State = state;
        Config = config;
        Accept = NftNames.Hex(config.AcceptMark);
        Pass = NftNames.Hex(config.PassMark);
        ClearAcceptAndPass = NftNames.Hex(~(config.AcceptMark | config.PassMark));
        ClearPass = NftNames.Hex(~config.PassMark);
        Zero = NftNames.Hex(0);
        WorkloadWildcard = "\"" + config.InterfacePrefix + "*\"";
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

    public string Accept { get; }

    public string Pass { get; }

    public string ClearAcceptAndPass { get; }

    public string ClearPass { get; }

    public string Zero { get; }

    public string WorkloadWildcard { get; }
}
