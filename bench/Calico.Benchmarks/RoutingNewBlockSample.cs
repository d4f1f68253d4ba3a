namespace Calico.Benchmarks;

/// <summary>
/// One new block of host2, split per step (ms): the block's affinity confirmed in the datastore (the bench's watch) ->
/// host2's calico-node received the update (its routing loop; both are etcd watches, so this can read below 0) ->
/// its own steps (<see cref="RoutingNewBlockSteps"/>: wait, render, write, check, BIRD configure) -> host2's kernel
/// holds the block as <c>blackhole ... proto bird</c> (its BIRD's kernel protocol) and host1's kernel holds the
/// route (one BGP update and host1's BIRD's kernel protocol). <see cref="Total"/>: confirmed -> host1's kernel.
/// </summary>
internal sealed record RoutingNewBlockSample(double Watch, RoutingNewBlockSteps? Steps, double OwnKernel, double PeerKernel, double Total)
{
    /// <param name="confirmedNs">Monotonic ns at which the bench saw the affinity confirmed.</param>
    /// <param name="ownKernelNs">... host2's kernel had the blackhole.</param>
    /// <param name="peerKernelNs">... host1's kernel had the route.</param>
    public static RoutingNewBlockSample Of(long confirmedNs, RoutingNewBlockSteps? steps, long ownKernelNs, long peerKernelNs)
    {
        double total = Ms(peerKernelNs - confirmedNs);
        return steps is null
            ? new RoutingNewBlockSample(double.NaN, null, double.NaN, double.NaN, total)
            : new RoutingNewBlockSample(Ms(steps.ReceivedNs - confirmedNs), steps, Ms(ownKernelNs - steps.ConfiguredNs), Ms(peerKernelNs - steps.ConfiguredNs), total);
    }

    private static double Ms(long ns) => ns / 1_000_000.0;
}
