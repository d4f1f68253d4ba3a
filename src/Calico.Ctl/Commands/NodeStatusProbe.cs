namespace Calico.Ctl.Commands;

/// <summary>
/// What <c>calicoctl node status</c> asks of the machine, replaceable in tests: root, and which Calico processes run
/// (upstream looks at process command lines, as <see cref="FromProc"/> does).
/// </summary>
internal sealed record NodeStatusProbe(Func<bool> IsRoot, Func<bool> CalicoNodeRunning, Func<bool> BirdRunning)
{
    /// <summary>The real machine: effective uid 0, and <c>/proc/&lt;pid&gt;/cmdline</c> of every process.</summary>
    public static NodeStatusProbe FromProc() => new(
        () => Environment.IsPrivilegedProcess,
        () => AnyProcess(IsCalicoNode),
        () => AnyProcess(argv => argv.Length > 0 && Path.GetFileName(argv[0]) is "bird" or "bird6"));

    /// <summary>calico-node (or the old calico-felix) by its own name, or run through dotnet as calico-node.dll.</summary>
    private static bool IsCalicoNode(string[] argv) =>
        argv.Take(2).Select(a => Path.GetFileName(a)).Any(name => name is "calico-node" or "calico-felix" or "calico-node.dll");

    private static bool AnyProcess(Func<string[], bool> predicate)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _))
            {
                continue;
            }

            string cmdline;
            try
            {
                cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process exited while we looked, or is not ours to read: it is not one we are looking for.
                continue;
            }

            if (predicate(cmdline.Split('\0', StringSplitOptions.RemoveEmptyEntries)))
            {
                return true;
            }
        }

        return false;
    }
}
