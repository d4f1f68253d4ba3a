using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Lifecycle;

/// <summary>How <see cref="NodeDeletion"/> runs.</summary>
public sealed record NodeDeletionOptions
{
    public static NodeDeletionOptions Default { get; } = new();

    /// <summary>
    /// When set, the Node must still be at this <c>resourceVersion</c>: a Node at another version is a conflict and
    /// nothing is touched (checked first; the final delete is compare-and-swap on it too).
    /// </summary>
    public string? ResourceVersion { get; init; }

    /// <summary>
    /// A handle found only because it names one of the node's blocks (no address, nothing else names it) is deleted
    /// only if it stays unchanged and unused this long (on <c>IpamClient.Time</c>): another node borrowing from that
    /// block writes its handle a round trip before the block.
    /// </summary>
    public TimeSpan StaleHandleConfirmDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Called before each step (tests stop a run there by throwing, as a crash would).</summary>
    public Action<NodeDeletionStep>? BeforeStep { get; init; }

    public ILogger Logger { get; init; } = NullLogger.Instance;
}
