using System.Net;

namespace Calico.Ipam;

public sealed partial class IpamClient
{
    /// <summary>
    /// Releases <paramref name="host"/>'s affinity to one block, only while the block is empty (the block is then
    /// deleted), as upstream's <c>ReleaseBlockAffinity(mustBeEmpty=true)</c> that kube-controllers calls for idle
    /// blocks. True when released (or the affinity was already gone); false when the block has allocations or
    /// belongs to another host, which leaves everything as it was.
    /// </summary>
    public async Task<bool> ReleaseEmptyBlockAffinityAsync(string host, IPNetwork cidr, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        var attempt = new Attempt();
        for (int i = 0; i < MaxRetries; i++)
        {
            var outcome = await ReleaseBlockAffinityAsync(host, cidr, requireEmpty: true, null, attempt, cancellationToken).ConfigureAwait(false);
            if (outcome == Outcome.Conflict)
            {
                CountRetry(attempt);
                continue;
            }

            return outcome is Outcome.Ok or Outcome.Missing;
        }

        throw new IpamException(MaxRetriesMessage);
    }
}
