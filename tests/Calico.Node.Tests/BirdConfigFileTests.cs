using Calico.Node.Routing;
using Calico.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Node.Tests;

/// <summary>
/// bird.cfg carries BGP passwords in cleartext (BIRD needs them so): it is 0600 in a 0700 directory, written through a
/// 0600 temporary file, and an older world-readable file or directory is tightened. No BIRD is started: the process
/// runner is replaced (a daemon outside a test namespace would touch the machine's routes).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Trait("Tier", "Unit")]
public sealed class BirdConfigFileTests : IDisposable
{
    private const string ConfigWithPassword = "protocol bgp Mesh_10_0_0_2 {\n  password \"s3cret\";\n}\n";
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly TempDirectory _dir = new("bird-cfg");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Apply_ConfigWithPassword_FileIs0600InA0700Directory()
    {
        var stateDir = Path.Combine(_dir.Path, "state");
        var writes = new List<UnixFileMode>();
        var bird = Supervisor(stateDir, writes);

        await bird.ApplyAsync(ConfigWithPassword, CancellationToken.None);

        Assert.Equal(ConfigWithPassword, await File.ReadAllTextAsync(bird.ConfigPath));
        Assert.Equal(Private, File.GetUnixFileMode(bird.ConfigPath));
        Assert.Equal(PrivateDirectory, File.GetUnixFileMode(stateDir));
        Assert.All(writes, mode => Assert.Equal(Private, mode)); // the candidate BIRD checked was never wider either
        Assert.Equal(["bird.cfg"], Directory.GetFiles(stateDir).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Apply_OverWorldReadableLeftovers_TightensDirectoryAndFile()
    {
        var stateDir = Path.Combine(_dir.Path, "lab-host");
        Directory.CreateDirectory(stateDir, PrivateDirectory | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var config = Path.Combine(stateDir, "bird.cfg");
        await File.WriteAllTextAsync(config, "old");
        File.SetUnixFileMode(config, Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await Supervisor(stateDir, []).ApplyAsync(ConfigWithPassword, CancellationToken.None);

        Assert.Equal(PrivateDirectory, File.GetUnixFileMode(stateDir));
        Assert.Equal(Private, File.GetUnixFileMode(config));
    }

    [Fact]
    public void WriteFreshSecret_OverAWorldReadableLeftover_Is0600WithOnlyTheNewContents()
    {
        // BIRD's candidate (bird.cfg.new) is written in place: a leftover of another mode and a longer text must go.
        var candidate = _dir.File("bird.cfg.new");
        File.WriteAllText(candidate, new string('x', 4096));
        File.SetUnixFileMode(candidate, Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        Calico.Node.Startup.StateDirectory.WriteFreshSecret(candidate, ConfigWithPassword);

        Assert.Equal(Private, File.GetUnixFileMode(candidate));
        Assert.Equal(ConfigWithPassword, File.ReadAllText(candidate));
    }

    private static BirdSupervisor Supervisor(string stateDir, List<UnixFileMode> candidateModes) => new(stateDir, NullLogger.Instance)
    {
        RunProcess = (_, arguments, _) =>
        {
            if (arguments[0] == "-p")
            {
                candidateModes.Add(File.GetUnixFileMode(arguments[^1]));
            }

            return Task.FromResult((0, ""));
        },
    };
}
