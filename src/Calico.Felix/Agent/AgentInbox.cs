using System.Threading.Channels;

namespace Calico.Felix.Agent;

/// <summary>
/// The reading end of the agent's message channel: waits for a message, a task the loop has in flight (a kernel
/// read-back), or a timer on the agent's clock, whichever comes first. Read by the loop only.
/// </summary>
internal sealed class AgentInbox(ChannelReader<AgentMessage> reader, TimeProvider time)
{
    public bool TryRead(out AgentMessage message) => reader.TryRead(out message);

    /// <summary>
    /// Waits for a message, <paramref name="inFlight"/> to complete, or <paramref name="wait"/> to pass on the agent's
    /// clock; true when messages are queued.
    /// </summary>
    public async Task<bool> WaitAsync(TimeSpan wait, Task? inFlight, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(wait, time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            if (inFlight is { IsCompleted: false })
            {
                Task<bool> message = reader.WaitToReadAsync(timeout.Token).AsTask();
                await Task.WhenAny(message, inFlight).ConfigureAwait(false);
                await timeout.CancelAsync().ConfigureAwait(false); // releases the channel wait if the task won
                return reader.TryPeek(out _);
            }

            return await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return reader.TryPeek(out _);
        }
    }
}
