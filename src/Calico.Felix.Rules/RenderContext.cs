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
        SetAcceptMark = new NftMarkSet(NftMarkOperation.Or, Accept);
        SetPassMark = new NftMarkSet(NftMarkOperation.Or, Pass);
        ClearMarksRule = new NftRule([NftCounter.Instance, new NftMarkSet(NftMarkOperation.And, ClearAcceptAndPass)]);
        PassIsClear = new NftMarkMatch(Pass, 0);
        AcceptIsSet = new NftMarkMatch(Accept, Accept);
    }

    // Rules, statements and values are immutable, so one instance serves every rule (and chain) that needs it. The
    // GC marks and copies what a table keeps alive, which dominated a cold render once rules became objects: these
    // shared pieces keep the object count per rule near what it was when a rule was one string.

    /// <summary><c>meta mark set meta mark | accept</c>: a policy rule's allow.</summary>
    public NftMarkSet SetAcceptMark { get; }

    /// <summary><c>meta mark set meta mark | pass</c>: a policy rule's pass.</summary>
    public NftMarkSet SetPassMark { get; }

    /// <summary><c>counter meta mark set meta mark &amp; ~(accept|pass)</c>: the first rule of every endpoint chain.</summary>
    public NftRule ClearMarksRule { get; }

    /// <summary><c>meta mark &amp; pass == 0</c>.</summary>
    public NftMarkMatch PassIsClear { get; }

    /// <summary><c>meta mark &amp; accept == accept</c>.</summary>
    public NftMarkMatch AcceptIsSet { get; }

    /// <summary>Rules shared within this render, by a key naming their content (see <c>NftablesRenderer.SharedRule</c>).</summary>
    public Dictionary<string, NftRule> SharedRules { get; } = new(StringComparer.Ordinal);

    /// <summary>Matches shared within this render, by field, negation and the value's text.</summary>
    public Dictionary<(NftField Field, bool Negated, string Value), NftMatch> SharedMatches { get; } = [];

    public DataplaneState State { get; }

    public RenderCache? Cache { get; init; }

    /// <summary>
    /// In BPF mode (<see cref="RenderConfig.WorkloadPolicyInBpf"/>), the policies and profiles some host endpoint uses:
    /// only their chains are rendered (the programs hold every workload's). Null: every chain.
    /// </summary>
    public (HashSet<PolicyKey> Policies, HashSet<string> Profiles)? HostEndpointPolicies { get; init; }

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
