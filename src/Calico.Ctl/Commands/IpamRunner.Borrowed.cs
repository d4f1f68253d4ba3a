namespace Calico.Ctl.Commands;

/// <summary><c>calicoctl ipam show --show-borrowed</c>: upstream's table of borrowed addresses.</summary>
internal sealed partial class IpamRunner
{
    public async Task<int> ShowBorrowedAsync(CancellationToken ct)
    {
        var blocks = await Open().ListBlockInfosAsync(ct).ConfigureAwait(false);
        Out.Write(BorrowedAddresses.From(blocks).Render());
        return 0;
    }
}
