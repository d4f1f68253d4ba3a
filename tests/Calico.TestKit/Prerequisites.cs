namespace Calico.TestKit;

/// <summary>
/// Finds external binaries tests depend on. A missing prerequisite fails the test with instructions; it never
/// turns into a silent pass.
/// </summary>
public static class Prerequisites
{
    private static readonly Dictionary<string, string> InstallHints = new(StringComparer.Ordinal)
    {
        ["etcd"] = "install Debian package etcd-server (.ci/run does)",
        ["etcdctl"] = "install Debian package etcd-client (.ci/run does)",
        ["chromium"] = "install Debian package chromium (scripts/install-deps.sh does)",
        ["dpkg-deb"] = "install Debian package dpkg",
        ["systemd-analyze"] = "install Debian package systemd",
    };

    /// <summary>The absolute path of <paramref name="binary"/> on PATH; throws naming how to install it.</summary>
    public static string Require(string binary)
    {
        ArgumentException.ThrowIfNullOrEmpty(binary);
        string? found = Find(binary);
        if (found is not null)
        {
            return found;
        }

        string hint = InstallHints.TryGetValue(binary, out string? known) ? known : "install it";
        throw new InvalidOperationException($"{binary} not found on PATH: {hint}");
    }

    /// <summary>The binary's absolute path, or null.</summary>
    public static string? Find(string binary)
    {
        ArgumentException.ThrowIfNullOrEmpty(binary);
        if (binary.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(binary) ? Path.GetFullPath(binary) : null;
        }

        string path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (string directory in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, binary);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
