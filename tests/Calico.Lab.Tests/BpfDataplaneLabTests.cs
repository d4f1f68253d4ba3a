using System.Globalization;
using Calico.Api;
using Calico.Lab.Cluster;
using Calico.Linux.Bpf;
using Calico.TestKit;

namespace Calico.Lab.Tests;

/// <summary>
/// Root tier, one host, no pods: <c>up --dataplane bpf</c> mounts a bpffs in the host's directory before calico-node
/// starts (calico-node sees it in its own mount namespace, the machine's /sys/fs/bpf is not used), names it to
/// calico-node as CALICO_BPF_ROOT, writes FelixConfiguration default bpfEnabled: true, records and shows the
/// dataplane; the bpffs outlives a SIGKILL of calico-node; <c>down</c> unmounts it, and a second <c>down</c> is harmless.
/// </summary>
[Trait("Tier", "Root")]
public sealed class BpfDataplaneLabTests
{
    [Fact]
    public async Task UpBpf_MountsHostBpffs_PointsCalicoNodeAtIt_EnablesBpf_DownUnmountsEvenAfterKill()
    {
        IpTool.RequireRootTier();
        Prerequisites.Require("bird");
        using var lab = new LabRunner();
        var output = await lab.MustAsync("up", "--dataplane", "bpf", "--no-flows");

        var layout = LabLayout.Create(lab.Name, lab.StateDir);
        var state = LabStateFile.Load(layout);
        Assert.Equal(UpOptions.DataplaneBpf, state.Dataplane);
        var host = Assert.Single(state.Hosts);
        var root = Path.Combine(host.Directory, "bpffs");
        Assert.Equal(root, host.BpfRoot);
        Assert.Contains("dataplane bpf", output, StringComparison.Ordinal);
        Assert.Contains("bpffs " + root, await lab.MustAsync("status"), StringComparison.Ordinal);

        // A bpffs of its own at the host's directory (a mount: the directory above is not one).
        Assert.Equal(BpfFilesystem.BpfFsMagic, BpfFilesystem.FileSystemMagic(root));
        Assert.False(BpfFilesystem.IsBpfFs(host.Directory));
        Assert.Contains(root, MountPoints("bpf"));

        // calico-node is told where it is, and sees it in its own mount namespace (ip netns exec made one).
        var node = Assert.IsType<LabProcess>(host.Node);
        var pid = node.Pid.ToString(CultureInfo.InvariantCulture);
        var environment = (await File.ReadAllTextAsync($"/proc/{pid}/environ")).Split('\0');
        Assert.Contains("CALICO_BPF_ROOT=" + root, environment);
        Assert.True(BpfFilesystem.IsBpfFs($"/proc/{pid}/root{root}"), "calico-node's mount namespace has the host's bpffs");

        // FelixConfiguration default switches calico-node to the eBPF dataplane.
        await using (var datastore = LabDatastore.Open(layout, state))
        {
            var config = Assert.IsType<FelixConfiguration>(await datastore.Client.GetAsync(ResourceKinds.FelixConfiguration, null, "default", CancellationToken.None));
            Assert.True(config.Spec.BpfEnabled);
        }

        // A crash of calico-node leaves the bpffs (pinned maps outlive it); down still removes it.
        await LabNodes.KillAsync(layout, "host1", CancellationToken.None);
        Assert.True(BpfFilesystem.IsBpfFs(root), "the bpffs outlives calico-node");

        var down = await lab.MustAsync("down");
        Assert.Contains("1 bpffs unmounted", down, StringComparison.Ordinal);
        Assert.DoesNotContain(root, MountPoints("bpf"));
        Assert.False(Directory.Exists(lab.StateDir));
        Assert.Contains("nothing to remove", await lab.MustAsync("down"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConformanceCluster_Dataplane_ReachesTheLabItBringsUp()
    {
        IpTool.RequireRootTier();
        using var dir = new TempDirectory("bpf-conformance");
        await File.WriteAllTextAsync(dir.File("case.yaml"), "name: never parsed\n");
        using var output = new StringWriter();
        using var error = new StringWriter();

        // The lab's own validation answers: --dataplane went into its options (bpf without calico-node is refused).
        var code = await LabCli.RunAsync(["conformance", "--cluster", "--no-node", "--dataplane", "bpf", dir.Path], output, error, CancellationToken.None);

        Assert.Equal(1, code);
        Assert.StartsWith("calico-lab conformance: --dataplane bpf needs calico-node", error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>The mount points of this mount namespace with file system type <paramref name="type"/> (mountinfo's octal escapes undone).</summary>
    private static List<string> MountPoints(string type) =>
        [.. File.ReadAllLines("/proc/self/mountinfo")
            .Select(line => line.Split(' '))
            .Where(fields => fields[Array.IndexOf(fields, "-") + 1] == type)
            .Select(fields => System.Text.RegularExpressions.Regex.Replace(fields[4], @"\\([0-7]{3})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString()))];
}
