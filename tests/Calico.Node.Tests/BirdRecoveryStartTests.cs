using Calico.Node.Routing;
using Calico.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Node.Tests;

/// <summary>
/// BIRD starts in graceful-restart recovery (<c>bird -R</c>) only when its previous run died without shutting down:
/// BIRD removes its pid file on a clean shutdown, so a pid file left in the state directory with no BIRD answering
/// means peers hold this host's routes as stale and must keep them until the restarted BIRD re-announces them. No BIRD
/// is started: the process runner is replaced.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Trait("Tier", "Unit")]
public sealed class BirdRecoveryStartTests : IDisposable
{
    private readonly TempDirectory _dir = new("bird-recovery");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Apply_PidFileLeftByABirdThatDied_StartsBirdInRecovery()
    {
        var started = new List<string[]>();
        var bird = Supervisor(started);
        Directory.CreateDirectory(_dir.Path);
        await File.WriteAllTextAsync(bird.PidPath, "4242\n");

        await bird.ApplyAsync("router id 10.0.0.1;\n", CancellationToken.None);

        string[] start = Assert.Single(started);
        Assert.Equal(["-R", "-c", bird.ConfigPath, "-s", bird.SocketPath, "-P", bird.PidPath], start);
    }

    [Fact]
    public void StartArguments_NoPidFile_FirstStartDoesNotWaitForPeers()
    {
        var bird = Supervisor([]);

        Assert.Equal(["-c", bird.ConfigPath, "-s", bird.SocketPath, "-P", bird.PidPath], bird.StartArguments());
    }

    private BirdSupervisor Supervisor(List<string[]> starts) => new(_dir.Path, NullLogger.Instance)
    {
        RunProcess = (_, arguments, _) =>
        {
            if (arguments[0] != "-p")
            {
                starts.Add(arguments);
            }

            return Task.FromResult((0, ""));
        },
    };
}
