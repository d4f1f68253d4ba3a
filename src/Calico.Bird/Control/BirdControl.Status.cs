namespace Calico.Bird.Control;

/// <summary>What CalicoNodeStatus reports: the daemon, its BGP sessions, its routes (upstream's node status populators).</summary>
public sealed partial class BirdControl
{
    /// <summary><c>show status</c>, parsed.</summary>
    public async Task<BirdDaemonStatus> ShowStatusAsync(CancellationToken cancellationToken) =>
        BirdDaemonStatus.Parse(await SendAsync("show status", cancellationToken).ConfigureAwait(false));

    /// <summary><c>show protocols all</c>, parsed (rows with each BGP session's state and neighbour).</summary>
    public async Task<IReadOnlyList<BirdProtocolDetail>> ShowProtocolDetailsAsync(CancellationToken cancellationToken) =>
        BirdProtocolDetail.ParseAll(await SendAsync("show protocols all", cancellationToken).ConfigureAwait(false));

    /// <summary><c>show route</c> (every table), parsed.</summary>
    public async Task<IReadOnlyList<BirdRoute>> ShowRoutesAsync(CancellationToken cancellationToken) =>
        BirdRoute.ParseAll(await SendAsync("show route", cancellationToken).ConfigureAwait(false));
}
