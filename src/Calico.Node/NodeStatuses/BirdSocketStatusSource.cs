using Calico.Bird.Control;

namespace Calico.Node.NodeStatuses;

/// <summary>
/// Reads BIRD over its control socket (<c>show status</c>, <c>show protocols all</c>, <c>show route</c>), one
/// connection per round. A null socket path (networking backend not bird) reads as unreachable.
/// </summary>
internal sealed class BirdSocketStatusSource(string? socketPath) : IBirdStatusSource
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    public async Task<BirdSnapshot> ReadAsync(bool protocols, bool routes, CancellationToken cancellationToken)
    {
        if (socketPath is null || !File.Exists(socketPath))
        {
            return BirdSnapshot.Unreachable;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadTimeout);
        try
        {
            await using BirdControl control = await BirdControl.ConnectAsync(socketPath, timeout.Token).ConfigureAwait(false);
            BirdDaemonStatus daemon = await control.ShowStatusAsync(timeout.Token).ConfigureAwait(false);
            IReadOnlyList<BirdProtocolDetail> details = protocols ? await control.ShowProtocolDetailsAsync(timeout.Token).ConfigureAwait(false) : [];
            IReadOnlyList<BirdRoute> table = routes ? await control.ShowRoutesAsync(timeout.Token).ConfigureAwait(false) : [];
            return new BirdSnapshot(daemon, details, table);
        }
        catch (Exception e) when (e is BirdControlException or IOException or System.Net.Sockets.SocketException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return BirdSnapshot.Unreachable;
        }
    }
}
