namespace Calico.Linux.Bpf;

/// <summary>
/// Where the compiled BPF programs (<c>bpf/&lt;name&gt;.o</c>, built from the repository's <c>bpf/*.c</c>) are at run
/// time: <c>CALICO_BPF_DIR</c> when set, else the <c>bpf</c> directory beside the executable (the build and
/// publish output put them there; the Debian package in /usr/lib/calico/bpf beside calico-node).
/// </summary>
public static class BpfObjectFiles
{
    /// <summary>The environment variable that overrides the directory.</summary>
    public const string DirectoryVariable = "CALICO_BPF_DIR";

    /// <summary>The directory in force for this process.</summary>
    public static string Directory() =>
        Resolve(Environment.GetEnvironmentVariable(DirectoryVariable), AppContext.BaseDirectory);

    /// <summary>The directory from an override (may be null or empty) and the executable's directory. Pure.</summary>
    public static string Resolve(string? overrideDirectory, string baseDirectory) =>
        string.IsNullOrWhiteSpace(overrideDirectory)
            ? System.IO.Path.Combine(baseDirectory, "bpf")
            : System.IO.Path.GetFullPath(overrideDirectory);

    /// <summary>
    /// The path of program object <paramref name="name"/> (without <c>.o</c>), which must exist: a missing one is an
    /// error naming the file and how the directory was chosen.
    /// </summary>
    public static string Path(string name)
    {
        ValidateName(name);
        var directory = Directory();
        var path = System.IO.Path.Combine(directory, name + ".o");
        if (File.Exists(path))
        {
            return path;
        }

        var source = string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(DirectoryVariable))
            ? "beside the executable; set " + DirectoryVariable + " to look elsewhere"
            : "from " + DirectoryVariable;
        throw new FileNotFoundException($"BPF program object {path} not found (directory {directory}, {source}); the build compiles bpf/{name}.c into it", path);
    }

    /// <summary>A program name is a plain file stem: letters, digits, '_' and '-' (never a path).</summary>
    public static void ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            throw new ArgumentException($"BPF program object name '{name}' is not a plain name (letters, digits, '_', '-'; at most 64)", nameof(name));
        }
    }
}
