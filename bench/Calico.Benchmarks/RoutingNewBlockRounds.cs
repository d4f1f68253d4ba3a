using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Calico.Api;
using Calico.Ipam;
using Calico.Lab.Cluster;

namespace Calico.Benchmarks;

/// <summary>
/// More new blocks than the first pod makes: a pool of its own (<see cref="PoolCidr"/>, /26 blocks, BGP), then per
/// round an IPAM claim for host2 from that pool as the CNI plugin makes it (<see cref="IpamClient.AutoAssignAsync"/>:
/// a new block, its affinity confirmed; timed from the earlier of a watch seeing the confirmed affinity and the claim's
/// return), timed per step to host1's kernel, then released (address, then the empty
/// block's affinity as kube-controllers does) and timed until host1's kernel no longer has it. Kernel routes are polled
/// every ~1 ms through rtnetlink dumps.
/// </summary>
internal static class RoutingNewBlockRounds
{
    public const string PoolCidr = "10.250.0.0/16";

    public static async Task<(List<RoutingNewBlockSample> Blocks, List<double> Withdraw)> MeasureAsync(RoutingLab lab, int rounds, CancellationToken cancellationToken)
    {
        var pool = new IPPool { Spec = new IPPoolSpec { Cidr = PoolCidr, BlockSize = 26 } };
        pool.Metadata.Name = "bench-new-blocks";
        await lab.Datastore.Client.CreateAsync(pool, cancellationToken);
        await Task.Delay(1000, cancellationToken); // both hosts reconfigure BIRD for the pool before the first round
        var ipam = new IpamClient(lab.Datastore.Store, TimeProvider.System);
        string host1 = lab.Layout.HostNetns("host1");
        string host2 = lab.Layout.HostNetns("host2");
        string log = Path.Combine(lab.Host("host2").Directory, "calico-node.log");
        var blocks = new List<RoutingNewBlockSample>();
        var withdraw = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task<long> confirmed = await lab.WatchBlockConfirmedAsync("host2", stopWatching.Token);
            string handle = "bench-new-block-" + round;
            long started = Stopwatch.GetTimestamp();
            AutoAssignResult assigned = await ipam.AutoAssignAsync(
                new AutoAssignArgs { HandleId = handle, Hostname = "host2", IPv4Pools = [PoolCidr] }, cancellationToken);
            long assignedAt = Stopwatch.GetTimestamp(); // the confirmation is the claim's last write
            IPAddress address = assigned.IPv4.Single().BaseAddress;
            string text = address.ToString();
            Task<long> ownKernel = WhenAsync(() => RoutingShell.HasBirdBlackholeForAsync(host2, text, cancellationToken), cancellationToken);
            long peerKernel = await WhenAsync(() => RoutingShell.HasBirdRouteToAsync(host1, text, cancellationToken), cancellationToken);
            long own = await ownKernel;
            // The earlier of the watch's event and the claim's return: either can be late when this process is busy
            // (its own kernel polls every ~1 ms), and a late reference would shorten every figure measured from it.
            long confirmedAt = Math.Min(await confirmed.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken), assignedAt);
            RoutingNewBlockSteps? steps = await RoutingNewBlockSteps.FindAsync(log, started, cancellationToken);
            blocks.Add(RoutingNewBlockSample.Of(
                RoutingNewBlockSteps.Nanoseconds(confirmedAt), steps, RoutingNewBlockSteps.Nanoseconds(own), RoutingNewBlockSteps.Nanoseconds(peerKernel)));

            await ipam.ReleaseByHandleAsync(handle, cancellationToken);
            var block = new IPNetwork(Mask(address, 26), 26);
            if (!await ipam.ReleaseEmptyBlockAffinityAsync("host2", block, cancellationToken))
            {
                throw new InvalidOperationException($"host2's block {block} was not released");
            }

            long released = Stopwatch.GetTimestamp();
            long gone = await WhenAsync(async () => !await RoutingShell.HasBirdRouteToAsync(host1, text, cancellationToken), cancellationToken);
            withdraw.Add(Stats.Ms(gone - released));
        }

        await lab.Datastore.Client.DeleteAsync(ResourceKinds.IPPool, null, pool.Metadata.Name, null, cancellationToken);
        return (blocks, withdraw);
    }

    /// <summary>Polls every ~1 ms (a route dump each) until <paramref name="condition"/> holds: its timestamp.</summary>
    private static async Task<long> WhenAsync(Func<Task<bool>> condition, CancellationToken cancellationToken)
    {
        long deadline = Stopwatch.GetTimestamp() + (30 * Stopwatch.Frequency);
        while (!await condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new InvalidOperationException("the route did not change within 30 s");
            }

            await Task.Delay(1, cancellationToken);
        }

        return Stopwatch.GetTimestamp();
    }

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        byte[] bytes = address.GetAddressBytes();
        uint value = (uint)((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]);
        value &= uint.MaxValue << (32 - prefix);
        return new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
    }
}
