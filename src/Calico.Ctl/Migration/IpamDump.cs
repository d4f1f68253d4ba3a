namespace Calico.Ctl.Migration;

/// <summary>One IPAM key as exported: the store key and its value exactly as stored (compact JSON bytes).</summary>
internal sealed record IpamRecord(string Key, byte[] Value);

/// <summary>
/// The IPAM section of an export, upstream's <c>migrateIPAM</c> groups: block affinities, blocks, handles and the IPAM
/// configuration (absent when the store has none, as upstream).
/// </summary>
internal sealed record IpamDump(
    IReadOnlyList<IpamRecord> BlockAffinities,
    IReadOnlyList<IpamRecord> Blocks,
    IReadOnlyList<IpamRecord> Handles,
    IpamRecord? Config)
{
    public static IpamDump Empty { get; } = new([], [], [], null);

    public int Count => BlockAffinities.Count + Blocks.Count + Handles.Count + (Config is null ? 0 : 1);

    /// <summary>Every record, in the order an import writes them (upstream's: affinities, blocks, handles, config).</summary>
    public IEnumerable<IpamRecord> All => BlockAffinities.Concat(Blocks).Concat(Handles).Concat(Config is null ? [] : [Config]);
}
