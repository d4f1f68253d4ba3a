namespace Calico.Lab.Cluster;

/// <summary>
/// Where calico-node, calico (and its calico-ipam link), calico-lab and goldmane are: <c>CALICO_LAB_BIN_DIR</c>, else the
/// directory of the running executable, else the application's base directory (a test host runs from dotnet),
/// else /opt/cni/bin (where setup.sh installs the CNI plugin, as a runtime expects it).
/// </summary>
public static class Binaries
{
    public const string EnvironmentVariable = "CALICO_LAB_BIN_DIR";
    public const string Node = "calico-node";
    public const string Cni = "calico";
    public const string Ipam = "calico-ipam";
    public const string Lab = "calico-lab";

    /// <summary>The flow aggregator (upstream's Goldmane API), run by <c>up</c> unless <c>--no-flows</c>.</summary>
    public const string Goldmane = "goldmane";
    public const string CniDirectory = "/opt/cni/bin";

    /// <summary>The first candidate directory holding <paramref name="binary"/>; a <see cref="LabException"/> naming where it looked.</summary>
    public static string FindDirectory(string binary)
    {
        var candidates = Candidates().ToList();
        foreach (var directory in candidates)
        {
            if (File.Exists(Path.Combine(directory, binary)))
            {
                return directory;
            }
        }

        throw new LabException($"{binary} not found in {string.Join(", ", candidates)} (set {EnvironmentVariable} to the directory holding calico-node, calico, calico-lab and goldmane)");
    }

    /// <summary>Where the standard CNI plugins are: upstream's install directory, then Debian's containernetworking-plugins.</summary>
    public static readonly IReadOnlyList<string> StandardPluginDirectories = [CniDirectory, "/usr/lib/cni"];

    /// <summary>The directory holding the standard <paramref name="plugin"/> (e.g. portmap); a <see cref="LabException"/> naming where it looked.</summary>
    public static string FindStandardPluginDirectory(string plugin) =>
        StandardPluginDirectories.FirstOrDefault(d => File.Exists(Path.Combine(d, plugin)))
        ?? throw new LabException($"the {plugin} CNI plugin is not in {string.Join(" or ", StandardPluginDirectories)} (Debian package containernetworking-plugins; scripts/install-deps.sh)");

    /// <summary>calico-ipam is the CNI binary under another name: a hard link made next to it when missing.</summary>
    public static async Task EnsureIpamLinkAsync(string directory, CancellationToken cancellationToken)
    {
        var ipam = Path.Combine(directory, Ipam);
        if (File.Exists(ipam))
        {
            return;
        }

        var result = await Command.RunAsync("ln", ["-f", Path.Combine(directory, Cni), ipam], cancellationToken: cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0 && !File.Exists(ipam))
        {
            throw new LabException($"cannot link {ipam} to {Cni}: {result.Error.Trim()}");
        }
    }

    private static IEnumerable<string> Candidates()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured)
        {
            yield return Path.GetFullPath(configured);
            yield break;
        }

        if (Path.GetDirectoryName(Environment.ProcessPath) is { Length: > 0 } executable)
        {
            yield return executable;
        }

        var baseDirectory = AppContext.BaseDirectory.TrimEnd('/');
        if (baseDirectory != Path.GetDirectoryName(Environment.ProcessPath))
        {
            yield return baseDirectory;
        }

        yield return CniDirectory;
    }
}
