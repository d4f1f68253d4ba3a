using System.Collections.Immutable;

namespace Calico.Nftables;

/// <summary>
/// An immutable <c>inet</c> table: sets, maps and chains in rendering order. <see cref="ToFullTransaction"/> writes it
/// whole as one <c>nft -f</c> transaction.
/// </summary>
public sealed class NftTable
{
    /// <summary>The table Calico programs, <c>table inet calico</c>.</summary>
    public const string DefaultName = "calico";

    public NftTable(IEnumerable<NftSet> sets, IEnumerable<NftSet> maps, IEnumerable<NftChain> chains)
        : this(DefaultName, sets, maps, chains)
    {
    }

    public NftTable(string name, IEnumerable<NftSet> sets, IEnumerable<NftSet> maps, IEnumerable<NftChain> chains)
    {
        NftNameRules.ThrowIfBadName(name, nameof(name));
        Name = name;
        Sets = ImmutableArray.CreateRange(sets);
        Maps = ImmutableArray.CreateRange(maps);
        Chains = ImmutableArray.CreateRange(chains);
        // Sets and maps share one namespace in nft.
        var setsByName = new Dictionary<string, NftSet>(StringComparer.Ordinal);
        AddUnique(setsByName, Sets);
        AddUnique(setsByName, Maps);

        var chainsByName = new Dictionary<string, NftChain>(StringComparer.Ordinal);
        foreach (NftChain chain in Chains)
        {
            if (!chainsByName.TryAdd(chain.Name, chain))
            {
                throw new ArgumentException($"chain {chain.Name} declared twice", nameof(chains));
            }
        }

        SetsByName = setsByName;
        ChainsByName = chainsByName;
    }

    private static void AddUnique(Dictionary<string, NftSet> byName, IReadOnlyList<NftSet> sets)
    {
        foreach (NftSet set in sets)
        {
            if (!byName.TryAdd(set.Name, set))
            {
                throw new ArgumentException($"set or map {set.Name} declared twice", nameof(sets));
            }
        }
    }

    public string Name { get; }

    public IReadOnlyList<NftSet> Sets { get; }

    public IReadOnlyList<NftSet> Maps { get; }

    public IReadOnlyList<NftChain> Chains { get; }

    public IReadOnlyDictionary<string, NftSet> SetsByName { get; }

    public IReadOnlyDictionary<string, NftChain> ChainsByName { get; }

    /// <summary>
    /// One <c>nft -f</c> transaction that replaces the table whole: the leading <c>table</c> line makes the delete
    /// succeed on a host without the table, and nft applies the file as one netlink batch.
    /// </summary>
    public string ToFullTransaction() => NftTextWriter.FullTransaction(this);
}
