using Calico.TestKit;

namespace Calico.Linux.Tests.Bpf;

/// <summary>scripts/build-bpf.sh as the build runs it: a broken program and a missing clang fail loudly, saying what.</summary>
[Trait("Tier", "Root")]
public sealed class BpfBuildScriptTests : IDisposable
{
    private readonly TempDirectory _dir = new("calico-bpfbuild");

    [Fact]
    public void ATestProgram_Compiles_IntoNameDotO()
    {
        var (exit, _, error) = Script(null, _dir.File("out"), Path.Combine(BpfTestPrograms.RepositoryRoot(), "bpf/test/count_all.c"));
        Assert.True(exit == 0, error);
        Assert.True(File.Exists(_dir.File("out/count_all.o")));
    }

    [Fact]
    public void ABrokenProgram_FailsTheBuild_NamingTheFile_AndLeavesNoObject()
    {
        var source = _dir.File("broken.c");
        File.WriteAllText(source, "int broken(void) { return undeclared; }\n");
        var (exit, _, error) = Script(null, _dir.File("out"), source);
        Assert.Equal(1, exit);
        Assert.Contains($"build-bpf: compiling {source} failed", error, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir.File("out/broken.o")));
    }

    [Fact]
    public void WithoutClang_TheBuildFails_WithTheInstallHint()
    {
        // A PATH with the tools the script needs but no clang.
        var bin = Directory.CreateDirectory(_dir.File("bin")).FullName;
        foreach (var tool in new[] { "dirname", "basename", "sed", "mkdir", "rm" })
        {
            File.CreateSymbolicLink(Path.Combine(bin, tool), Prerequisites.Require(tool));
        }

        var (exit, _, error) = Script(bin, _dir.File("out"), Path.Combine(BpfTestPrograms.RepositoryRoot(), "bpf/test/count_all.c"));
        Assert.Equal(1, exit);
        Assert.Contains("clang not found", error, StringComparison.Ordinal);
        Assert.Contains("clang libbpf-dev linux-libc-dev", error, StringComparison.Ordinal);
    }

    private static (int ExitCode, string Output, string Error) Script(string? path, params string[] arguments)
    {
        var script = Path.Combine(BpfTestPrograms.RepositoryRoot(), "scripts", "build-bpf.sh");
        return path is null
            ? IpTool.RunProcess("/bin/bash", [script, .. arguments], throwOnError: false)
            : IpTool.RunProcess("/usr/bin/env", ["PATH=" + path, "/bin/bash", script, .. arguments], throwOnError: false);
    }

    public void Dispose() => _dir.Dispose();
}
