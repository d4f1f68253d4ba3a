namespace Calico.TestKit;

/// <summary>
/// Compiles a BPF C source of the repository (<c>bpf/...</c>) with Debian's clang for tests, into a temp directory,
/// with the same flags as the build: tests always load what the source says now.
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

    /// <summary>Compiles <paramref name="source"/> (relative to the repository root) into <paramref name="outputDirectory"/>; the object's path.</summary>
    public static string Compile(string source, string outputDirectory)
    {
        var clang = Prerequisites.Find("clang") ?? throw new InvalidOperationException("clang not found on PATH: install Debian packages clang libbpf-dev linux-libc-dev (scripts/install-deps.sh does)");
        var root = RepositoryRoot();
        var output = Path.Combine(outputDirectory, Path.GetFileNameWithoutExtension(source) + ".o");
        var (exitCode, _, error) = IpTool.RunProcess(clang, ["-O2", "-g", "-Wall", "-Werror", "-target", "bpf", "-I", Path.Combine(root, "bpf", "include"), "-I", "/usr/include/x86_64-linux-gnu", "-c", Path.Combine(root, source), "-o", output], throwOnError: false);
        return exitCode == 0 ? output : throw new InvalidOperationException($"clang {source} failed ({exitCode}):\n{error}");
    }
}
