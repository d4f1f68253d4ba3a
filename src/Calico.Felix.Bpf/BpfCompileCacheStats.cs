namespace Calico.Felix.Bpf;

/// <summary>
/// In one compilation: fragments (a policy's or profile's rules in one direction) compiled and reused, tables built
/// (linearised or merged again) and reused whole, merged runs whose entries were built and taken from the cache, chunks kept from a table's last merge.
/// </summary>
public sealed record BpfCompileCacheStats(int FragmentsCompiled, int FragmentsReused, int TablesBuilt, int TablesReused, int RunsBuilt, int RunsReused)
{
    /// <summary>Chunks of merged runs a table merged again took from its last merge (same rules, same place: not hashed or looked up again).</summary>
    public int ChunksKept { get; init; }

    /// <summary>Tables whose fragments came from what changed (the state's journal): only the changed places looked up.</summary>
    public int TablesFromChanges { get; init; }

    /// <summary>Tables whose linear rules were patched where same-length fragments changed, not linearised again.</summary>
    public int TablesPatched { get; init; }
}
