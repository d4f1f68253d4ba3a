using Calico.Api;
using Calico.Client;
using Calico.Linux.Bpf;

namespace Calico.Lab.Cluster;

/// <summary>
/// The lab's side of <c>up --dataplane bpf</c>. Lab hosts share one kernel, and <c>ip netns exec</c> gives each
/// process a private /sys, so the machine's /sys/fs/bpf is never used: every host gets its own bpffs, mounted in its
/// state directory before calico-node starts (so pinned maps outlive a calico-node crash) and named to calico-node
/// by <c>CALICO_BPF_ROOT</c>. FelixConfiguration <c>default</c> gets <c>bpfEnabled: true</c>. <c>down</c> unmounts
/// the bpffs and detaches nothing by hand: deleting a host's namespace removes its interfaces and their tc filters.
/// </summary>
public static class LabBpf
{
    /// <summary>The bpffs mount point in a host's directory.</summary>
    public const string MountDirectory = "bpffs";

    /// <summary>The FelixConfiguration the lab switches to the eBPF dataplane (the global one).</summary>
    public const string FelixConfigurationName = "default";

    /// <summary>
    /// The program objects calico-node loads in BPF mode (calico_tc.o: calico_from_wl and calico_to_wl), checked by
    /// <c>up</c> before anything is made.
    /// </summary>
    public static readonly IReadOnlyList<string> RequiredObjects = ["calico_tc"];

    /// <summary>Mounts stacked at one place that <c>down</c> undoes at most (a lab mounts one).</summary>
    private const int MaxStackedMounts = 8;

    /// <summary>EINVAL from umount2: not a mount point.</summary>
    private const int NotAMountPoint = 22;

    /// <summary>The bpffs root of the host whose directory is <paramref name="hostDirectory"/>.</summary>
    public static string Root(string hostDirectory) => Path.Combine(hostDirectory, MountDirectory);

    /// <summary>
    /// Where calico-node, found in <paramref name="nodeDirectory"/>, looks for its objects: <c>CALICO_BPF_DIR</c> when
    /// calico-lab has it (<paramref name="overrideDirectory"/>; calico-node inherits calico-lab's environment), else
    /// <c>bpf/</c> beside calico-node.
    /// </summary>
    public static string ObjectDirectory(string nodeDirectory, string? overrideDirectory) =>
        BpfObjectFiles.Resolve(overrideDirectory, nodeDirectory);

    /// <summary>Checks calico-node's objects with calico-lab's own <c>CALICO_BPF_DIR</c>, which calico-node inherits.</summary>
    public static void CheckObjects(string nodeDirectory) =>
        CheckObjects(nodeDirectory, Environment.GetEnvironmentVariable(BpfObjectFiles.DirectoryVariable));

    /// <summary>A <see cref="LabException"/> naming the first missing object, where it was looked for and why there.</summary>
    public static void CheckObjects(string nodeDirectory, string? overrideDirectory)
    {
        var directory = ObjectDirectory(nodeDirectory, overrideDirectory);
        foreach (var name in RequiredObjects)
        {
            var path = Path.Combine(directory, name + ".o");
            if (!File.Exists(path))
            {
                var why = string.IsNullOrWhiteSpace(overrideDirectory)
                    ? $"calico-node in {nodeDirectory} loads its programs from bpf/ beside it; set {BpfObjectFiles.DirectoryVariable} to look elsewhere"
                    : $"{BpfObjectFiles.DirectoryVariable}={overrideDirectory}";
                throw new LabException(
                    $"--dataplane {UpOptions.DataplaneBpf}: BPF program object {path} not found ({why}); ./build.sh compiles bpf/{name}.c into out/bin/bpf/, a build of calico-node into bpf/ beside it");
            }
        }
    }

    /// <summary>Mounts a new bpffs at <paramref name="root"/> (created). Refused when the place is already on one.</summary>
    public static void Mount(string root)
    {
        bool mounted;
        try
        {
            mounted = BpfFilesystem.EnsureMounted(root);
        }
        catch (BpfException e)
        {
            throw new LabException($"cannot mount a bpffs at {root}: {e.Message}", e);
        }

        if (!mounted)
        {
            // Unmounting at down would hit whatever bpffs holds the state directory (the machine's, say).
            throw new LabException($"{root} is already on a bpffs: choose a --state-dir outside any bpffs");
        }
    }

    /// <summary>
    /// Unmounts the bpffs of every host directory of the lab (<c>&lt;state&gt;/*/bpffs</c>: found without lab.json
    /// too, and after calico-node was killed); a place that is not a mount point is left alone, so a second run finds
    /// nothing. Returns how many mounts it removed.
    /// </summary>
    public static int UnmountAll(LabLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (!Directory.Exists(layout.StateDir))
        {
            return 0;
        }

        var removed = 0;
        foreach (var directory in Directory.EnumerateDirectories(layout.StateDir))
        {
            var root = Root(directory);
            for (var i = 0; i < MaxStackedMounts && Directory.Exists(root) && BpfFilesystem.IsBpfFs(root); i++)
            {
                try
                {
                    BpfFilesystem.Unmount(root);
                    removed++;
                }
                catch (BpfException e) when (e.Errno == NotAMountPoint)
                {
                    break;
                }
                catch (BpfException e)
                {
                    throw new LabException($"cannot unmount the bpffs at {root}: {e.Message}", e);
                }
            }
        }

        return removed;
    }

    /// <summary>
    /// Sets <c>bpfEnabled: true</c> on FelixConfiguration <c>default</c>, creating it when absent and keeping every
    /// other setting it has. Written with the lab's own client, as the pools are.
    /// </summary>
    public static async Task EnableAsync(ResourceClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        for (var attempt = 1; ; attempt++)
        {
            var current = await client.GetAsync(ResourceKinds.FelixConfiguration, null, FelixConfigurationName, cancellationToken).ConfigureAwait(false);
            OperationResult result;
            if (current is FelixConfiguration existing)
            {
                existing.Spec.BpfEnabled = true;
                result = await client.UpdateAsync(existing, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var created = new FelixConfiguration { Metadata = { Name = FelixConfigurationName } };
                created.Spec.BpfEnabled = true;
                result = await client.CreateAsync(created, cancellationToken).ConfigureAwait(false);
            }

            if (result.Succeeded)
            {
                return;
            }

            // Someone else wrote it between our read and write: read again.
            if (attempt < 3 && result.Status is OperationStatus.Conflict or OperationStatus.AlreadyExists or OperationStatus.NotFound)
            {
                continue;
            }

            throw new LabException($"setting bpfEnabled: true on FelixConfiguration {FelixConfigurationName}: {result.Message}");
        }
    }
}
