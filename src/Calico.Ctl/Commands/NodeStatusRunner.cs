using Calico.Bird.Control;

namespace Calico.Ctl.Commands;

/// <summary>
/// <c>calicoctl node status</c>: is calico-node running, and the state of every BGP session from BIRD's control
/// socket. One BIRD 2 daemon serves both families here (upstream runs bird and bird6), so both sections come from one
/// <c>show protocols</c>.
/// </summary>
internal sealed class NodeStatusRunner(CtlContext context, NodeStatusProbe probe)
{
    /// <summary>
    /// Upstream's socket, then the one Debian's BIRD uses, as upstream tries them; then ours: calico-node keeps BIRD's
    /// socket in its state directory, /var/lib/calico by default (the packaged calico-node.service).
    /// </summary>
    public static readonly string[] DefaultSockets = ["/var/run/calico/bird.ctl", "/var/run/bird/bird.ctl", "/var/lib/calico/bird.ctl"];

    /// <summary>Set to a socket path to query that BIRD (the lab runs several hosts on one machine). Ours, not upstream's.</summary>
    public const string SocketVariable = "CALICO_BIRD_SOCKET";

    private static readonly TimeSpan BirdTimeout = TimeSpan.FromSeconds(2);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (!probe.IsRoot())
        {
            context.Out.WriteLine("Need super user privileges: Operation not permitted");
            return 1;
        }

        if (!probe.CalicoNodeRunning())
        {
            context.Error.WriteLine("Calico process is not running.");
            return 1;
        }

        context.Out.WriteLine("Calico process is running.");
        if (!probe.BirdRunning())
        {
            context.Out.WriteLine();
            context.Out.WriteLine("The BGP backend process (BIRD) is not running.");
        }
        else
        {
            context.Out.Write(await QueryBirdAsync(cancellationToken).ConfigureAwait(false));
        }

        context.Out.WriteLine();
        return 0;
    }

    private async Task<string> QueryBirdAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(BirdTimeout);
        var sockets = context.Environment(SocketVariable) is { Length: > 0 } configured ? [configured] : DefaultSockets;
        BirdControlException? failure = null;
        foreach (var socket in sockets)
        {
            try
            {
                await using var bird = await BirdControl.ConnectAsync(socket, timeout.Token).ConfigureAwait(false);
                return NodeStatusTable.Render(await bird.ShowProtocolsAsync(timeout.Token).ConfigureAwait(false));
            }
            catch (BirdControlException e)
            {
                failure = e;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new CtlException("error executing command: timed out waiting for BIRD at " + socket);
            }
        }

        return $"\nError querying BIRD: {failure!.Message}\n";
    }
}
