namespace Calico.Linux.Nft;

/// <summary>A NETLINK_NETFILTER socket that applies <see cref="NfTablesTransaction"/>s. Not thread-safe.</summary>
public sealed class NfTables : IDisposable
{
    private NfTables()
    {
    }

    /// <summary>Opens a socket in the calling thread's network namespace.</summary>
    public static NfTables Open() => throw new NotImplementedException();

    /// <summary>Opens a socket inside the namespace at <paramref name="netnsPath"/> (from a dedicated thread).</summary>
    public static Task<NfTables> OpenInAsync(string netnsPath, CancellationToken cancellationToken) =>
        NetworkNamespace.RunInAsync(netnsPath, Open, cancellationToken);

    /// <summary>
    /// Sends the transaction as one batch, steps in the order added; all or nothing. Throws
    /// <see cref="NetlinkException"/> naming the failing step.
    /// </summary>
    public void Apply(NfTablesTransaction transaction) => throw new NotImplementedException(transaction?.Table);

    public void Dispose()
    {
    }
}
