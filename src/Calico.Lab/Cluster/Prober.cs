using System.Net;
using System.Net.Sockets;
using Calico.Lab.Conformance;
using Calico.Linux;
using Calico.Reachability;

namespace Calico.Lab.Cluster;

/// <summary>
/// Real packets between pods: for each source, sockets created inside its namespace connect to every other pod.
/// TCP: an established connection = allowed (policy drops, so a denied SYN times out). UDP: a datagram answered by
/// the listener's echo = allowed; one retry covers a lost first packet (ARP on a fresh path). What came back
/// instead tells the rest apart (<see cref="ProbeOutcome"/>): silence = denied, a reset or ICMP port unreachable =
/// not listening, ICMP host/network unreachable = unreachable.
/// </summary>
public static class Prober
{
    public static readonly TimeSpan TcpTimeout = TimeSpan.FromMilliseconds(400);
    public static readonly TimeSpan UdpTimeout = TimeSpan.FromMilliseconds(300);

    public static async Task<ProbeMatrix> ProbeAsync(IReadOnlyList<ProbeTarget> pods, Probe probe, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pods);
        var n = pods.Count;
        var outcomes = new ProbeOutcome?[n, n];
        var rows = new List<Task>();
        for (var i = 0; i < n; i++)
        {
            rows.Add(ProbeRowAsync(pods, i, probe, outcomes, cancellationToken));
        }

        await Task.WhenAll(rows).ConfigureAwait(false);
        return new ProbeMatrix([.. pods.Select(p => p.Name)], probe, outcomes);
    }

    /// <summary>One matrix per probe, probed concurrently.</summary>
    public static async Task<IReadOnlyList<ProbeMatrix>> ProbeAsync(IReadOnlyList<ProbeTarget> pods, IReadOnlyList<Probe> probes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probes);
        return await Task.WhenAll(probes.Select(p => ProbeAsync(pods, p, cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>One flow: whether <paramref name="from"/> reaches <paramref name="to"/> on <paramref name="probe"/> now.</summary>
    public static async Task<bool> ReachesAsync(ProbeTarget from, ProbeTarget to, Probe probe, CancellationToken cancellationToken) =>
        await ProbeOnceAsync(from, to, probe, cancellationToken).ConfigureAwait(false) == ProbeOutcome.Allowed;

    /// <summary>One flow: what <paramref name="from"/> sees when it tries <paramref name="to"/> on <paramref name="probe"/> now.</summary>
    public static async Task<ProbeOutcome> ProbeOnceAsync(ProbeTarget from, ProbeTarget to, Probe probe, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        var sockets = await NetworkNamespace.RunInAsync(from.NetnsPath, () => CreateSockets(probe, to.Address.AddressFamily, probe.Protocol == Packet.Tcp ? 1 : 2), cancellationToken).ConfigureAwait(false);
        try
        {
            var target = new IPEndPoint(to.Address, probe.Port);
            return probe.Protocol == Packet.Tcp
                ? await TcpAsync(sockets[0], target, cancellationToken).ConfigureAwait(false)
                : await UdpAsync(sockets[0], sockets[1], target, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    private static async Task ProbeRowAsync(IReadOnlyList<ProbeTarget> pods, int from, Probe probe, ProbeOutcome?[,] outcomes, CancellationToken cancellationToken)
    {
        var targets = Enumerable.Range(0, pods.Count).Where(j => j != from).ToList();
        // Udp gets two sockets per target so the retry is a fresh flow too.
        var perTarget = probe.Protocol == Packet.Tcp ? 1 : 2;
        var sockets = await NetworkNamespace.RunInAsync(pods[from].NetnsPath, () => CreateSockets(probe, pods[from].Address.AddressFamily, targets.Count * perTarget), cancellationToken).ConfigureAwait(false);
        try
        {
            var cells = targets.Select((to, k) => probe.Protocol == Packet.Tcp
                ? TcpAsync(sockets[k], new IPEndPoint(pods[to].Address, probe.Port), cancellationToken)
                : UdpAsync(sockets[2 * k], sockets[(2 * k) + 1], new IPEndPoint(pods[to].Address, probe.Port), cancellationToken)).ToList();
            var results = await Task.WhenAll(cells).ConfigureAwait(false);
            for (var k = 0; k < targets.Count; k++)
            {
                outcomes[from, targets[k]] = results[k];
            }
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    /// <summary>Sockets of the targets' family (a matrix probes one family: every pod's IPv4, or every pod's IPv6).</summary>
    private static Socket[] CreateSockets(Probe probe, AddressFamily family, int count)
    {
        var sockets = new Socket[count];
        for (var i = 0; i < count; i++)
        {
            sockets[i] = probe.Protocol == Packet.Tcp
                ? new Socket(family, SocketType.Stream, ProtocolType.Tcp)
                : new Socket(family, SocketType.Dgram, ProtocolType.Udp);
        }

        return sockets;
    }

    private static async Task<ProbeOutcome> TcpAsync(Socket socket, IPEndPoint target, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TcpTimeout);
        try
        {
            await socket.ConnectAsync(target, timeout.Token).ConfigureAwait(false);
            return ProbeOutcome.Allowed;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeOutcome.Denied;
        }
        catch (SocketException e)
        {
            return Classify(e.SocketErrorCode);
        }
    }

    /// <summary>UDP: the retry only after silence (a refusal or an unreachable is an answer already).</summary>
    private static async Task<ProbeOutcome> UdpAsync(Socket first, Socket retry, IPEndPoint target, CancellationToken cancellationToken)
    {
        var outcome = await UdpOnceAsync(first, target, cancellationToken).ConfigureAwait(false);
        return outcome == ProbeOutcome.Denied ? await UdpOnceAsync(retry, target, cancellationToken).ConfigureAwait(false) : outcome;
    }

    private static async Task<ProbeOutcome> UdpOnceAsync(Socket socket, IPEndPoint target, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(UdpTimeout);
        var buffer = new byte[512];
        try
        {
            await socket.ConnectAsync(target, timeout.Token).ConfigureAwait(false);
            await socket.SendAsync("probe"u8.ToArray(), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            var received = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            return received > 0 ? ProbeOutcome.Allowed : ProbeOutcome.Denied;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeOutcome.Denied;
        }
        catch (SocketException e)
        {
            return Classify(e.SocketErrorCode);
        }
    }

    /// <summary>
    /// What an error on a probe socket says: ECONNREFUSED is the destination's own answer (TCP RST, or ICMP port
    /// unreachable on a connected UDP socket); EHOSTUNREACH/ENETUNREACH an ICMP error from a router (or no route
    /// here); anything else (e.g. EPERM from a local firewall) counts as denied.
    /// </summary>
    public static ProbeOutcome Classify(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => ProbeOutcome.NotListening,
        SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostDown or SocketError.NetworkDown => ProbeOutcome.Unreachable,
        _ => ProbeOutcome.Denied,
    };
}
