namespace Calico.Felix.Rules.Planning;

/// <summary>
/// One step of an <see cref="NftPlan"/>. <paramref name="Name"/> is the set, map or chain it acts on (the table for
/// <see cref="NftStepKind.ReplaceTable"/>). <paramref name="Set"/> is the declaration of the set the step acts on
/// (what the elements' encoding depends on), <paramref name="Chain"/> the chain an <see cref="NftStepKind.AddChain"/>
/// declares (its base-chain header), <paramref name="Rule"/> the rule an <see cref="NftStepKind.AddRule"/> appends,
/// <paramref name="Elements"/> the typed elements added or removed (from a map, only the key is deleted).
/// </summary>
public sealed record NftStep(
    NftStepKind Kind,
    string Name,
    NftSet? Set = null,
    NftChain? Chain = null,
    NftRule? Rule = null,
    IReadOnlyList<NftElement>? Elements = null);
