using System.Diagnostics;
using Calico.TestKit;

namespace Calico.Lab.Tests.Packaging;

/// <summary>
/// The Debian package built once by the project's own script (<c>scripts/build-deb.sh</c>) from placeholder binaries
/// (small shell scripts: ./build.sh takes minutes), then read back with dpkg-deb: its listing (<c>-c</c>), its
/// control fields (<c>-f</c>), its control files (<c>-e</c>) and its tree (<c>-x</c>). Removed on dispose.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DebianPackageFixture : IAsyncLifetime
{
    public const string Version = "1.2.3~test";

    /// <summary>Every binary ./build.sh puts in out/bin that the package takes (calico-ipam is the package's own hard link).</summary>
    public static readonly string[] Binaries = ["calicoctl", "calico-node", "calico-kube-controllers", "goldmane", "calico"];

    public async Task InitializeAsync()
    {
        Prerequisites.Require("dpkg-deb");
        string bin = Dir.File("bin");
        Directory.CreateDirectory(bin);
        foreach (string name in Binaries)
        {
            File.WriteAllText(Path.Combine(bin, name), $"#!/bin/sh\necho {name}\n");
            File.SetUnixFileMode(Path.Combine(bin, name), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        File.WriteAllText(Path.Combine(bin, "libe_sqlite3.so"), "placeholder\n");
        PlaceBpfObjects(bin, RepoRoot);
        // calico-lab is built too but is not packaged: it must be left out, not picked up by a glob.
        File.WriteAllText(Path.Combine(bin, "calico-lab"), "#!/bin/sh\n");
        var (code, output, error) = await RunAsync(Path.Combine(RepoRoot, "scripts", "build-deb.sh"), "--bin-dir", bin, "--out-dir", Dir.File("out"), "--version", Version);
        Assert.True(code == 0, $"scripts/build-deb.sh failed ({code}): {error}");
        DebPath = output.Trim();
        Assert.Equal(Path.Combine(Dir.File("out"), $"calico_{Version}_amd64.deb"), DebPath);

        Listing = await CheckedAsync("dpkg-deb", "-c", DebPath);
        await CheckedAsync("dpkg-deb", "-x", DebPath, Root);
        await CheckedAsync("dpkg-deb", "-e", DebPath, Control);
    }

    public TempDirectory Dir { get; } = new("calico-deb");

    /// <summary>The repository's BPF programs (bpf/*.c), whose objects the script ships from bpf/ beside the binaries.</summary>
    public static IReadOnlyList<string> BpfObjectNames(string repoRoot) =>
        Directory.GetFiles(Path.Combine(repoRoot, "bpf"), "*.c").Select(c => Path.GetFileNameWithoutExtension(c) + ".o").Order(StringComparer.Ordinal).ToList();

    /// <summary>Placeholder objects in <c>&lt;bin&gt;/bpf</c> for every BPF program, as ./build.sh would compile them.</summary>
    public static void PlaceBpfObjects(string bin, string repoRoot)
    {
        Directory.CreateDirectory(Path.Combine(bin, "bpf"));
        foreach (string name in BpfObjectNames(repoRoot))
        {
            File.WriteAllText(Path.Combine(bin, "bpf", name), "placeholder\n");
        }
    }

    public string RepoRoot { get; } = FindRepoRoot();

    public string DebPath { get; private set; } = "";

    /// <summary><c>dpkg-deb -c</c>: one line per member (mode, owner, size, date, path, link).</summary>
    public string Listing { get; private set; } = "";

    /// <summary>The package's tree, as dpkg would install it under /.</summary>
    public string Root => Dir.File("root");

    /// <summary>The control files (control, conffiles, md5sums, maintainer scripts).</summary>
    public string Control => Dir.File("control");

    /// <summary>A path of the package (e.g. <c>/etc/calico/calico.env</c>) in the extracted tree.</summary>
    public string InRoot(string absolutePath) => Root + absolutePath;

    /// <summary>A control field, as <c>dpkg-deb -f</c> reads it.</summary>
    public async Task<string> FieldAsync(string name) => (await CheckedAsync("dpkg-deb", "-f", DebPath, name)).Trim();

    public Task DisposeAsync()
    {
        Dir.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Runs a program (no shell) and returns its exit code and output; fails the test after 60 s.</summary>
    public static async Task<(int Code, string Output, string Error)> RunAsync(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', arguments)} did not finish in 60 s");
        }

        return (process.ExitCode, await output, await error);
    }

    private static async Task<string> CheckedAsync(string program, params string[] arguments)
    {
        var (code, output, error) = await RunAsync(program, arguments);
        Assert.True(code == 0, $"{program} {string.Join(' ', arguments)} failed ({code}): {error}");
        return output;
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Calico.sln")))
        {
            dir = dir.Parent;
        }

        Assert.True(dir is not null, "cannot find the repository root (Calico.sln) above " + AppContext.BaseDirectory);
        return dir.FullName;
    }
}
