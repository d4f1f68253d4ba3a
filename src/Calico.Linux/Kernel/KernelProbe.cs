using System.IO.Compression;

namespace Calico.Linux.Kernel;

/// <summary>
/// Finds out what this kernel offers: reads the kernel config where there is one (see <see cref="KernelVerdicts"/>),
/// and tries whatever the config leaves open in a throwaway network namespace (<see cref="KernelTrials"/>). Never runs
/// modprobe and never touches the process's own namespace: the throwaway namespace is unshared by one thread and
/// vanishes with it.
/// </summary>
public static class KernelProbe
{
    /// <summary>Default config locations: the running kernel's own copy first, then upstream calicoctl's list.</summary>
    public static IReadOnlyList<string> DefaultConfigPaths(string release) =>
    [
        "/proc/config.gz",
        "/boot/config-" + release,
        "/usr/src/linux/.config",
        "/usr/src/linux-" + release + "/.config",
        "/usr/src/linux-headers-" + release + "/.config",
        "/lib/modules/" + release + "/build/.config",
    ];

    /// <summary>Never throws for a missing feature: the answer is a value. A --kernel-config that cannot be read throws IOException.</summary>
    public static async Task<KernelCapabilities> ProbeAsync(KernelProbeOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new KernelProbeOptions();
        string release = KernelRelease();
        KernelConfig? config = options.IgnoreConfig ? null : ReadConfig(options.ConfigPath, release);
        var verdicts = new List<KernelFeatureResult>();
        foreach (KernelFeature feature in KernelFeatures.All)
        {
            verdicts.Add(KernelVerdicts.Judge(feature, config, module => Directory.Exists("/sys/module/" + module)));
        }

        var untested = verdicts.Where(v => v.State == KernelFeatureState.Untested).Select(v => v.Feature).ToList();
        if (untested.Count > 0)
        {
            IReadOnlyDictionary<string, (bool Worked, string Reason)> trials;
            try
            {
                trials = await NetworkNamespace.RunInThrowawayAsync(() => KernelTrials.TryAll(untested), cancellationToken).ConfigureAwait(false);
            }
            catch (NetlinkException ex)
            {
                // unshare failed (no CAP_SYS_ADMIN): the kernel was not asked, and the verdict says so.
                trials = untested.ToDictionary(f => f.Name, _ => (false, "could not try it: " + ex.Message));
            }

            for (int i = 0; i < verdicts.Count; i++)
            {
                if (trials.TryGetValue(verdicts[i].Feature.Name, out var trial))
                {
                    verdicts[i] = KernelVerdicts.WithTrial(verdicts[i], trial.Worked, trial.Reason);
                }
            }
        }

        return new KernelCapabilities(release, config?.Source, verdicts);
    }

    /// <summary><c>uname -r</c>, from procfs.</summary>
    public static string KernelRelease() => File.ReadAllText("/proc/sys/kernel/osrelease").Trim();

    /// <summary>The override (which must exist), else the first default location that exists, else null.</summary>
    public static KernelConfig? ReadConfig(string? overridePath, string release)
    {
        if (!string.IsNullOrEmpty(overridePath))
        {
            return Load(overridePath);
        }

        foreach (string path in DefaultConfigPaths(release))
        {
            if (File.Exists(path))
            {
                return Load(path);
            }
        }

        return null;
    }

    private static KernelConfig Load(string path)
    {
        using FileStream file = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        int read = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        // gzip by content, not by name: /proc/config.gz is gzip, a --kernel-config may be either.
        Stream text = read == 2 && magic[0] == 0x1f && magic[1] == 0x8b ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(text);
        return KernelConfig.Parse(reader.ReadToEnd(), path);
    }
}
