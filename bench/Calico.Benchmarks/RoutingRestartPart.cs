namespace Calico.Benchmarks;

/// <summary>
/// The <c>restart</c> part of <c>routing</c>: calico-node killed on host2 with its BIRD kept up, then with its BIRD
/// killed too (<see cref="RoutingRestart"/>); host1's kernel is polled for host2's pod route throughout.
/// </summary>
internal static class RoutingRestartPart
{
    public static async Task RunAsync(RoutingLab lab, string host2PodAddress, CancellationToken cancellationToken)
    {
        foreach (bool birdToo in new[] { false, true })
        {
            RoutingRestart.Result restart = await RoutingRestart.MeasureAsync(lab, host2PodAddress, birdToo, cancellationToken);
            Console.WriteLine(birdToo
                ? " calico-node crash on host2, its BIRD killed too (SIGKILL to all in host2's netns), restart; host1's kernel polled for host2's pod route"
                : " calico-node SIGKILL on host2 (its BIRD stays up), restart; host1's kernel polled for host2's pod route");
            Stats.Row("host1 polls with the route missing / polls (aim 0)", $"{restart.Missing} / {restart.Polls}");
            Stats.Row("kill -> host1 session not Established", $"{restart.SessionDownMs:F0} ms");
            Stats.Row("restart -> host2 BIRD up / calico-node ready", $"{restart.BirdUpMs:F0} / {restart.ReadyMs:F0} ms");
            Stats.Row("restart -> host1 session Established + route (aim: ≤ 5 s after BIRD up)", $"{restart.EstablishedMs:F0} ms ({restart.EstablishedMs - restart.BirdUpMs:F0} ms after BIRD up)");
        }
    }
}
