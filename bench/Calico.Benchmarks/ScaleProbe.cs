using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Calico.Lab.Cluster;
using Calico.Linux;

namespace Calico.Benchmarks;

/// <summary>
/// TCP connects from inside a pod's namespace, retried until they succeed (reachable) or time out (blocked: policy
/// drops). Short attempts (200 ms) so the time a flow starts working is known to within one attempt.
/// </summary>
internal static class ScaleProbe
{
    private static readonly TimeSpan s_attempt = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan s_blockedAfter = TimeSpan.FromSeconds(1);

    /// <summary>Milliseconds from <paramref name="started"/> to the first connect that succeeds; NaN past <paramref name="limit"/>.</summary>
    public static async Task<double> UntilConnectedAsync(ProbeTarget from, IPEndPoint to, long started, TimeSpan limit, CancellationToken cancellationToken)
    {
        while (Stopwatch.GetElapsedTime(started) < limit)
        {
            long attempt = Stopwatch.GetTimestamp();
            if (await ConnectAsync(from, to, s_attempt, cancellationToken) == true)
            {
                return Stats.Ms(Stopwatch.GetTimestamp() - started);
            }

            // Refused or unreachable come back at once: do not spin.
            if (Stopwatch.GetElapsedTime(attempt) < TimeSpan.FromMilliseconds(20))
            {
                await Task.Delay(20, cancellationToken);
            }
        }

        return double.NaN;
    }

    /// <summary>Milliseconds from <paramref name="started"/> until a connect gets no answer for a second (dropped); NaN past the limit.</summary>
    public static async Task<double> UntilBlockedAsync(ProbeTarget from, IPEndPoint to, long started, TimeSpan limit, CancellationToken cancellationToken)
    {
        while (Stopwatch.GetElapsedTime(started) < limit)
        {
            long attempt = Stopwatch.GetTimestamp();
            if (await ConnectAsync(from, to, s_blockedAfter, cancellationToken) is null)
            {
                return Stats.Ms(attempt - started);
            }

            await Task.Delay(20, cancellationToken);
        }

        return double.NaN;
    }

    /// <summary>True: connected; false: refused or unreachable; null: no answer within <paramref name="timeout"/>.</summary>
    private static async Task<bool?> ConnectAsync(ProbeTarget from, IPEndPoint to, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using Socket socket = await NetworkNamespace.RunInAsync(from.NetnsPath, () => new Socket(to.AddressFamily, SocketType.Stream, ProtocolType.Tcp), cancellationToken);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(to, cts.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
