namespace Calico.TestKit;

/// <summary>
/// Compiles a BPF C source of the repository (<c>bpf/...</c>) with Debian's clang for tests, into a temp directory,
/// by the build's script (scripts/build-bpf.sh): tests always load what the source says now, compiled as shipped.
/// </summary>
public static class BpfTestPrograms
{
    /// <summary>The repository's root (where Calico.sln is), found from the test's base directory.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Calico.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Calico.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>
    /// Compiles <paramref name="source"/> (relative to the repository root) into <paramref name="outputDirectory"/>
    /// through scripts/build-bpf.sh, the build's own compile (so the flags cannot drift); the object's path.
    /// </summary>
    public static string Compile(string source, string outputDirectory)
    {
        var root = RepositoryRoot();
        var output = Path.Combine(outputDirectory, Path.GetFileNameWithoutExtension(source) + ".o");
        var (exitCode, _, error) = IpTool.RunProcess("/bin/bash", [Path.Combine(root, "scripts", "build-bpf.sh"), outputDirectory, Path.Combine(root, source)], throwOnError: false);
        return exitCode == 0 ? output : throw new InvalidOperationException($"compiling {source} failed ({exitCode}):\n{error}");
    }
}
