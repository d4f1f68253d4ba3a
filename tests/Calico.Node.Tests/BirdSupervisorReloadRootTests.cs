using System.Diagnostics;
using Calico.Bird.Control;
using Calico.Node.Routing;
using Calico.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Node.Tests;

/// <summary>
/// The running BIRD's reload with one parse (<c>configure "bird.cfg.new"</c>): a real BIRD 2 daemon, started by the
/// supervisor inside a namespace this test creates and killed through its pid file at the end. A refused file leaves
/// BIRD's routes and bird.cfg as they were; an accepted one reaches the kernel and becomes bird.cfg, which a plain
/// <c>configure</c> (BIRD's own file name, unchanged) reads again; the same rendering again is not sent to BIRD, unless
/// a restarted calico-node adopts the BIRD (it reconfigures it); a BIRD that died behind the kept control connection is
/// started with the next change. Root tier: fails without root, ip or bird.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Trait("Tier", "Root")]
public sealed class BirdSupervisorReloadRootTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Reload_BadThenGoodConfig_RefusedKeepsRoutesAndFileAcceptedReplacesBoth()
    {
        string bird = Prerequisites.Require("bird");
        using var dir = new TempDirectory("calico-bird-reload");
        using var ns = new NetnsScope("calsup");
        string stateDir = Path.Combine(dir.Path, "state");
        var supervisor = new BirdSupervisor(stateDir, NullLogger.Instance)
        {
            RunProcess = (_, arguments, _) =>
            {
                (int code, string output, string error) = ns.Exec(bird, arguments);
                return Task.FromResult((code, output + error));
            },
        };
        try
        {
            string first = Config("10.70.0.0/26");
            await supervisor.ApplyAsync(first, CancellationToken.None); // no BIRD yet: bird -p, then started
            await WaitForRouteAsync(ns, "10.70.0.0/26", present: true);

            var refused = await Assert.ThrowsAsync<InvalidOperationException>(
                () => supervisor.ApplyAsync("router id 10.0.0.1;\nprotocol nonsense {\n", CancellationToken.None));
            Assert.Contains("bird.cfg.new:2", refused.Message, StringComparison.Ordinal);
            Assert.Equal(first, await File.ReadAllTextAsync(supervisor.ConfigPath));
            Assert.False(File.Exists(supervisor.ConfigPath + ".new"));
            Assert.Contains("10.70.0.0/26", ns.Ip("-4", "route", "show", "proto", "bird"), StringComparison.Ordinal);

            string second = Config("10.70.0.64/26");
            await supervisor.ApplyAsync(second, CancellationToken.None);
            await WaitForRouteAsync(ns, "10.70.0.64/26", present: true);
            await WaitForRouteAsync(ns, "10.70.0.0/26", present: false);
            Assert.Equal(second, await File.ReadAllTextAsync(supervisor.ConfigPath));
            Assert.False(File.Exists(supervisor.ConfigPath + ".new"));

            // The same rendering again (an apply for a change bird.cfg does not show): no candidate, no configure.
            await supervisor.ApplyAsync(second, CancellationToken.None);
            Assert.Equal(1, supervisor.Trace.UnchangedSinceReload);
            Assert.False(File.Exists(supervisor.ConfigPath + ".new"));

            // A restarted calico-node (a new supervisor, nothing remembered) reconfigures the BIRD it adopts even
            // with the same rendering: the file is written again (it was removed here) and BIRD keeps the route.
            File.Delete(supervisor.ConfigPath);
            var restarted = new BirdSupervisor(stateDir, NullLogger.Instance) { RunProcess = supervisor.RunProcess };
            await restarted.ApplyAsync(second, CancellationToken.None);
            Assert.Equal(0, restarted.Trace.UnchangedSinceReload);
            Assert.Equal(second, await File.ReadAllTextAsync(supervisor.ConfigPath));
            Assert.Contains("10.70.0.64/26", ns.Ip("-4", "route", "show", "proto", "bird"), StringComparison.Ordinal);

            // BIRD still names bird.cfg as its file: a plain configure reads the accepted configuration.
            await using BirdControl control = await BirdControl.ConnectAsync(supervisor.SocketPath, CancellationToken.None);
            BirdConfigureResult again = await control.ConfigureAsync(CancellationToken.None);
            Assert.True(again.Succeeded, again.Message);
            Assert.Contains("10.70.0.64/26", ns.Ip("-4", "route", "show", "proto", "bird"), StringComparison.Ordinal);

            // The supervisor keeps its control connection between reloads. BIRD dies: that connection is now stale,
            // and the next change must still reach a BIRD (here: none answers, so it is started with the change).
            using (var daemon = Process.GetProcessById(int.Parse(File.ReadAllText(supervisor.PidPath).Trim(), System.Globalization.CultureInfo.InvariantCulture)))
            {
                daemon.Kill();
                await daemon.WaitForExitAsync();
            }

            string third = Config("10.70.0.128/26");
            await supervisor.ApplyAsync(third, CancellationToken.None);
            await WaitForRouteAsync(ns, "10.70.0.128/26", present: true);
            Assert.Equal(third, await File.ReadAllTextAsync(supervisor.ConfigPath));
            Assert.True(await supervisor.IsRunningAsync(CancellationToken.None));
        }
        finally
        {
            if (File.Exists(supervisor.PidPath) && int.TryParse(File.ReadAllText(supervisor.PidPath).Trim(), out int pid))
            {
                using var daemon = Process.GetProcessById(pid);
                daemon.Kill();
                await daemon.WaitForExitAsync();
            }
        }
    }

    private static string Config(string block) => $$"""
        router id 10.0.0.1;
        protocol device { }
        protocol static blocks {
          ipv4;
          route {{block}} blackhole;
        }
        protocol kernel {
          ipv4 { import none; export all; };
        }
        """;

    private static Task WaitForRouteAsync(NetnsScope ns, string block, bool present) =>
        Eventually.WaitAsync(
            () => Task.FromResult(ns.Ip("-4", "route", "show", "proto", "bird").Contains(block, StringComparison.Ordinal) == present),
            Limit,
            (present ? "BIRD's route " : "the withdrawal of ") + block,
            () => ns.Ip("-4", "route", "show"),
            TimeSpan.FromMilliseconds(20));
}
