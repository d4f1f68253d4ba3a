namespace Calico.Felix.Rules.Planning;

/// <summary>What one step of an <see cref="NftPlan"/> does to <c>table inet calico</c>.</summary>
public enum NftStepKind
{
    /// <summary>The table is dropped, whatever it held, and declared empty: the first step of a full replacement.</summary>
    ReplaceTable,

    /// <summary>A set or map declared (type and flags), empty.</summary>
    AddSet,

    /// <summary>Elements removed from a set or map (a map's element is removed by its key).</summary>
    DeleteElements,

    /// <summary>Elements added to a set or map.</summary>
    AddElements,

    /// <summary>A chain declared, empty; a base chain with its hook.</summary>
    AddChain,

    /// <summary>Every rule of a chain removed.</summary>
    FlushChain,

    /// <summary>One rule appended to a chain.</summary>
    AddRule,

    /// <summary>An empty chain that nothing jumps to any more, removed.</summary>
    DeleteChain,

    /// <summary>A set or map that nothing names any more, removed.</summary>
    DeleteSet,
}
