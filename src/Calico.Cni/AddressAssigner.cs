using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Calico.Ipam;
using Microsoft.Extensions.Logging;

namespace Calico.Cni;

/// <summary>
/// Chooses and assigns a workload's addresses: the one code path behind both the calico plugin (in-process) and
/// calico-ipam ADD/DEL. Sources, at most one of which may be given: CNI_ARGS <c>IP=</c>, runtimeConfig <c>ips</c>,
/// <c>args.cni.ips</c>, <c>args.cni.ipAddrs</c> (all through IPAM as specific addresses), or
/// <c>args.cni.ipAddrsNoIpam</c> (IPAM bypassed). Otherwise auto-assignment from <c>args.cni.ipv4pools</c> /
/// <c>ipv6pools</c>, else <c>ipam.ipv4_pools</c> / <c>ipv6_pools</c>, else every enabled pool.
/// </summary>
internal sealed class AddressAssigner(NetConf conf, CniEnvironment env, WorkloadIdentity identity, IpamClient ipam, TimeProvider time, ILogger logger)
{
    /// <summary>How long a failed ADD spends freeing its addresses before leaving them to DEL/GC.</summary>
    private static readonly TimeSpan ReleaseAfterFailureTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The step timer (marks when the IPAM lock is held), or null.</summary>
    public CniPhases? Phases { get; init; }

    /// <summary>The handle's addresses, read by <see cref="StartReads"/> before the lock; null: read under the lock.</summary>
    private Task<IReadOnlyList<IPAddress>>? _handleRead;

    /// <summary>
    /// Starts the reads an auto-assignment begins with (the handle, and IPAM's inputs, affinities and first affine
    /// block into its cache) so they overlap the caller's own reads instead of following them under the IPAM lock.
    /// Reading the handle before the lock is as safe as under it: only this container's ADD and DEL write its handle
    /// (the runtime serialises those), GC ignores the lock anyway, and every write that follows is a compare-and-swap.
    /// The returned task never faults: a failed read is simply redone (or reported) by <see cref="AssignAsync"/>.
    /// </summary>
    public Task StartReads(CancellationToken cancellationToken)
    {
        if (conf.Args.IpAddrsNoIpam.Count > 0 || env.RequestedIps.Count + conf.RuntimeIps.Count + conf.Args.Ips.Count + conf.Args.IpAddrs.Count > 0)
        {
            return Task.CompletedTask;
        }

        _handleRead = ipam.IpsByHandleAsync(identity.HandleId, cancellationToken);
        var cache = ipam.PrefetchAutoAssignAsync(identity.Node, conf.Ipam.AssignIpv4, conf.Ipam.AssignIpv6, cancellationToken);
        return QuietlyAsync(Task.WhenAll(_handleRead, cache));
    }

    private static async Task QuietlyAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A read-ahead that failed is redone by the assignment, which reports its own failure.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    public sealed record Assignment(IReadOnlyList<IPNetwork> IPv4, IReadOnlyList<IPNetwork> IPv6, bool ThroughIpam, bool Reused)
    {
        public IEnumerable<IPNetwork> All => IPv4.Concat(IPv6);
    }

    public async Task<Assignment> AssignAsync(CancellationToken cancellationToken)
    {
        var (source, requested) = RequestedAddresses();
        if (conf.Args.IpAddrsNoIpam.Count > 0)
        {
            if (!conf.IpAddrsNoIpamEnabled)
            {
                throw new CniException(CniErrorCodes.InvalidConfig, "args.cni.ipAddrsNoIpam is set but feature_control.ip_addrs_no_ipam is not enabled");
            }

            if (source is not null)
            {
                throw new CniException(CniErrorCodes.InvalidConfig, $"args.cni.ipAddrsNoIpam cannot be combined with {source}");
            }

            var (v4, v6) = Split(conf.Args.IpAddrsNoIpam, "args.cni.ipAddrsNoIpam");
            return new Assignment(v4, v6, ThroughIpam: false, Reused: false);
        }

        // A busy lock means another plugin of this host is assigning, most likely from the very block read ahead:
        // read that block again under the lock (a read) rather than lose a compare-and-swap on it (a write).
        await using var held = await IpamLock.AcquireAsync(conf.IpamLockFile, IpamLock.DefaultTimeout, time, cancellationToken, ipam.ForgetCachedBlocks).ConfigureAwait(false);
        Phases?.Mark("locked");
        try
        {
            return await AssignThroughIpamAsync(source, requested, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // A failed ADD never keeps what it took. IPAM counts an address on its handle before writing it into a
            // block, so releasing by handle finds everything, even writes whose answer was lost; if the datastore is
            // unreachable now, the handle still names them and the DEL the runtime sends next (or GC) frees them.
            await ReleaseAfterFailureAsync(e).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<Assignment> AssignThroughIpamAsync(string? source, IReadOnlyList<IPAddress> requested, CancellationToken cancellationToken)
    {
        var existing = await (_handleRead ?? ipam.IpsByHandleAsync(identity.HandleId, cancellationToken)).ConfigureAwait(false);
        if (existing.Count > 0)
        {
            if (source is null || SameSet(existing, requested))
            {
                Log.Reused(logger, identity.HandleId, string.Join(",", existing));
                var (v4, v6) = Split(existing, "handle " + identity.HandleId);
                return new Assignment(v4, v6, ThroughIpam: true, Reused: true);
            }

            // A repeated ADD asking for other addresses: the new request wins, as upstream's ipAddrs does.
            await ipam.ReleaseByHandleAsync(identity.HandleId, cancellationToken).ConfigureAwait(false);
        }

        if (source is not null)
        {
            var (v4, v6) = Split(requested, source);
            foreach (var address in requested)
            {
                await ipam.AssignIpAsync(new AssignIpArgs { Address = address, HandleId = identity.HandleId, Hostname = identity.Node, Attributes = Attributes() }, cancellationToken).ConfigureAwait(false);
            }

            Log.Assigned(logger, string.Join(",", requested), identity.HandleId);
            return new Assignment(v4, v6, ThroughIpam: true, Reused: false);
        }

        var args = new AutoAssignArgs
        {
            Num4 = conf.Ipam.AssignIpv4 ? 1 : 0,
            Num6 = conf.Ipam.AssignIpv6 ? 1 : 0,
            HandleId = identity.HandleId,
            Hostname = identity.Node,
            Attributes = Attributes(),
            IPv4Pools = conf.Args.IPv4Pools ?? conf.Ipam.IPv4Pools,
            IPv6Pools = conf.Args.IPv6Pools ?? conf.Ipam.IPv6Pools,
        };
        var result = await ipam.AutoAssignAsync(args, cancellationToken).ConfigureAwait(false);
        if (result.IPv4.Count < args.Num4 || result.IPv6.Count < args.Num6)
        {
            // Dual stack half done is no assignment (upstream releases the family that worked): the caller releases.
            throw new IpamException($"assigned {result.IPv4.Count} of {args.Num4} IPv4 and {result.IPv6.Count} of {args.Num6} IPv6 addresses");
        }

        var assignment = new Assignment(Single(result.IPv4), Single(result.IPv6), ThroughIpam: true, Reused: false);
        Log.Assigned(logger, string.Join(",", assignment.All), identity.HandleId);
        return assignment;
    }

    /// <summary>Best effort, bounded: the original failure is what the runtime must see.</summary>
    private async Task ReleaseAfterFailureAsync(Exception failure)
    {
        using var bound = new CancellationTokenSource(ReleaseAfterFailureTimeout, time);
        try
        {
            var found = await ipam.ReleaseByHandleAsync(identity.HandleId, bound.Token).ConfigureAwait(false);
            Log.ReleasedAfterFailure(logger, identity.HandleId, found, failure.Message);
        }
#pragma warning disable CA1031 // Any release failure leaves the handle for DEL/GC; it must not hide the ADD's error.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.ReleaseAfterFailureFailed(logger, identity.HandleId, e.Message);
        }
    }

    /// <summary>Releases the container's addresses (a missing handle is not an error).</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        await using var held = await IpamLock.AcquireAsync(conf.IpamLockFile, IpamLock.DefaultTimeout, time, cancellationToken).ConfigureAwait(false);
        var found = await ipam.ReleaseByHandleAsync(identity.HandleId, cancellationToken).ConfigureAwait(false);
        Log.Released(logger, identity.HandleId, found);
    }

    private Dictionary<string, string> Attributes()
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["node"] = identity.Node,
            ["timestamp"] = time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture),
        };
        if (identity.IsKubernetes)
        {
            attributes["namespace"] = identity.Namespace;
            attributes["pod"] = identity.Pod!;
        }

        return attributes;
    }

    private (string? Source, IReadOnlyList<IPAddress> Addresses) RequestedAddresses()
    {
        (string Name, IReadOnlyList<IPAddress> Addresses)[] sources =
        [
            ("CNI_ARGS IP", env.RequestedIps),
            ("runtimeConfig.ips", conf.RuntimeIps),
            ("args.cni.ips", conf.Args.Ips),
            ("args.cni.ipAddrs", conf.Args.IpAddrs),
        ];
        string? chosen = null;
        IReadOnlyList<IPAddress> addresses = [];
        foreach (var (name, list) in sources)
        {
            if (list.Count == 0)
            {
                continue;
            }

            if (chosen is not null)
            {
                throw new CniException(CniErrorCodes.InvalidConfig, $"conflicting address requests: both {chosen} and {name} are set; give one");
            }

            chosen = name;
            addresses = list;
        }

        return (chosen, addresses);
    }

    private static (IReadOnlyList<IPNetwork> V4, IReadOnlyList<IPNetwork> V6) Split(IEnumerable<IPAddress> addresses, string source)
    {
        var v4 = new List<IPNetwork>();
        var v6 = new List<IPNetwork>();
        foreach (var a in addresses)
        {
            if (a.AddressFamily == AddressFamily.InterNetwork)
            {
                v4.Add(new IPNetwork(a, 32));
            }
            else
            {
                v6.Add(new IPNetwork(a, 128));
            }
        }

        if (v4.Count > 1 || v6.Count > 1)
        {
            throw new CniException(CniErrorCodes.InvalidConfig, $"{source} may hold at most one IPv4 and one IPv6 address");
        }

        return (v4, v6);
    }

    private static IReadOnlyList<IPNetwork> Single(IReadOnlyList<IPNetwork> networks) =>
        [.. networks.Select(n => new IPNetwork(n.BaseAddress, n.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 32 : 128))];

    private static bool SameSet(IReadOnlyList<IPAddress> a, IReadOnlyList<IPAddress> b) =>
        a.Count == b.Count && a.All(b.Contains);
}
