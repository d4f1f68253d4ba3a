using System.Diagnostics;
using Calico.Bird.Control;
using Calico.TestKit;

namespace Calico.Bird.Tests;

/// <summary>
/// A real BIRD 2 started in a test's namespace (<c>ip netns exec ns bird -f -c cfg -s socket</c>); the
/// <see cref="ChildProcess"/> scope kills it by PID whatever the test does.
/// </summary>
internal sealed class BirdDaemon
{
    private BirdDaemon(Process process, string configPath, string socketPath)
    {
        Process = process;
        ConfigPath = configPath;
        SocketPath = socketPath;
    }

    public Process Process { get; }

    public string ConfigPath { get; }

    public string SocketPath { get; }

    public static async Task<BirdDaemon> StartAsync(ChildProcess children, NetnsScope ns, TempDirectory dir, string name, string config)
    {
        var bird = Prerequisites.Require("bird");
        var configPath = dir.File(name + ".cfg");
        var socketPath = dir.File(name + ".ctl");
        await File.WriteAllTextAsync(configPath, config);
        var process = children.Start(Prerequisites.Require("ip"), ["netns", "exec", ns.Name, bird, "-f", "-c", configPath, "-s", socketPath]);
        var daemon = new BirdDaemon(process, configPath, socketPath);
        await Eventually.WaitAsync($"BIRD {name} control socket", () => Task.FromResult(File.Exists(socketPath) || process.HasExited));
        Assert.False(process.HasExited, $"BIRD {name} exited: {children.OutputOf(process)}");
        return daemon;
    }

    public Task<BirdControl> ConnectAsync() => BirdControl.ConnectAsync(SocketPath, CancellationToken.None);
}
