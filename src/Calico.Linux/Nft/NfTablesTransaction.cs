namespace Calico.Linux.Nft;

/// <summary>
/// The steps of one nf_tables transaction on one table, in order; <see cref="NfTables.Apply"/> sends them as ONE
/// nfnetlink batch: every step applies or none does.
/// </summary>
public sealed class NfTablesTransaction
{
    public NfTablesTransaction(string family, string table)
    {
        Family = family;
        Table = table;
    }

    public string Family { get; }

    public string Table { get; }

    /// <summary>Steps added so far.</summary>
    public int Count { get; private set; }

    /// <summary>A regular chain (<c>add chain</c>: an existing one is fine).</summary>
    public void AddChain(string chain) => throw new NotImplementedException(chain);

    /// <summary><c>flush chain</c>: removes every rule of the chain.</summary>
    public void FlushChain(string chain) => throw new NotImplementedException(chain);

    /// <summary><c>delete chain</c>: the chain must be empty and unreferenced.</summary>
    public void DeleteChain(string chain) => throw new NotImplementedException(chain);

    /// <summary><c>add rule</c>: appends the rule at the end of the chain.</summary>
    public void AppendRule(string chain, NftRule rule) => throw new NotImplementedException(chain + rule?.Text);

    /// <summary>Element adds and deletes, encoded as <see cref="NfTablesSetElements"/> does.</summary>
    public void ChangeElements(IReadOnlyList<SetElementChange> changes) => throw new NotImplementedException(changes?.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
