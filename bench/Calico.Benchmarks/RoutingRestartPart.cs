using System.Globalization;

namespace Calico.Benchmarks;

/// <summary>
/// The <c>restart</c> part of <c>routing</c>: calico-node killed on host2 with its BIRD kept up, then
/// <see cref="BirdKilledRounds"/> times with its BIRD killed too (<see cref="RoutingRestart"/>); host1's kernel is
/// polled for host2's pod route throughout. The route loss this part looks for was intermittent (a few ms between the
/// peer flushing the stale route and the UPDATE re-announcing it), hence several crashes per run, summed.
/// </summary>
internal static class RoutingRestartPart
{
    /// <summary>Crashes of calico-node and BIRD together per run (<c>ROUTING_RESTART_ROUNDS</c>, default 3).</summary>
    private static int BirdKilledRounds =>
        int.TryParse(Environment.GetEnvironmentVariable("ROUTING_RESTART_ROUNDS"), NumberStyles.None, CultureInfo.InvariantCulture, out int rounds) && rounds > 0 ? rounds : 3;

    public static async Task RunAsync(RoutingLab lab, string host2PodAddress, CancellationToken cancellationToken)
    {
        int killedPolls = 0;
        int killedMissing = 0;
        var afterBirdUp = new List<double>();
        int rounds = BirdKilledRounds;
        for (int round = 0; round <= rounds; round++)
        {
            bool birdToo = round > 0;
            RoutingRestart.Result restart = await RoutingRestart.MeasureAsync(lab, host2PodAddress, birdToo, cancellationToken);
            Console.WriteLine(birdToo
                ? $" calico-node crash on host2, its BIRD killed too (SIGKILL to all in host2's netns), restart {round} of {rounds}; host1's kernel polled for host2's pod route"
                : " calico-node SIGKILL on host2 (its BIRD stays up), restart; host1's kernel polled for host2's pod route");
            Stats.Row("host1 polls with the route missing / polls (aim 0)", $"{restart.Missing} / {restart.Polls}");
            Stats.Row("kill -> host1 session not Established", $"{restart.SessionDownMs:F0} ms");
            Stats.Row("restart -> host2 BIRD up / calico-node ready", $"{restart.BirdUpMs:F0} / {restart.ReadyMs:F0} ms");
            Stats.Row("restart -> host1 session Established + routes re-announced (aim: ≤ 5 s after BIRD up)", $"{restart.EstablishedMs:F0} ms ({restart.EstablishedMs - restart.BirdUpMs:F0} ms after BIRD up)");
            if (!birdToo)
            {
                AimReport.Record("restart, BIRD kept up: host1 polls with host2's route missing", $"{restart.Missing} / {restart.Polls}", "0", restart.Missing == 0);
                continue;
            }

            killedPolls += restart.Polls;
            killedMissing += restart.Missing;
            afterBirdUp.Add(restart.EstablishedMs - restart.BirdUpMs);
        }

        if (rounds > 0)
        {
            AimReport.Record($"restart, BIRD killed too ({rounds}×): host1 polls with host2's route missing", $"{killedMissing} / {killedPolls}", "0", killedMissing == 0);
            afterBirdUp.Sort();
            double median = afterBirdUp[afterBirdUp.Count / 2];
            AimReport.RecordAtMost($"restart, BIRD killed too: host1 Established + routes re-announced after host2's BIRD up (median of {rounds})", median / 1000, "s", 5);
        }
    }
}
