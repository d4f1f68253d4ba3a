namespace Calico.Cni.Tests;

/// <summary>
/// podman as the CNI client, inside the kernel fixture's host namespace (<c>nsenter --net</c>), with its own
/// containers.conf (runc, CNI backend, our plugin dir first), temp storage, and a busybox image imported from a
/// tarball. Two networks: calnet (pool main) and calsmall (pools edge-low + edge-high: .0, .1, .254, .255), each a
/// conflist of calico then the standard portmap plugin (/usr/lib/cni).
/// </summary>
public sealed class PodmanFixture : IAsyncLifetime
{
    /// <summary>Chained after calico in every conflist, as upstream's manifests do: podman's <c>-p</c> becomes runtimeConfig.portMappings.</summary>
    public const string PortMapPlugin = """{"type":"portmap","snat":true,"capabilities":{"portMappings":true}}""";

    public KernelFixture Kernel { get; } = new();

    public string Image { get; } = "localhost/calico-busybox:test";

    public bool Ready { get; private set; }

    private string Root => Kernel.Dir.File("podman-root");

    private string RunRoot => Kernel.Dir.File("podman-run");

    public async Task InitializeAsync()
    {
        await Kernel.InitializeAsync();
        if (!Requirements.Podman())
        {
            return;
        }

        var net = Kernel.Dir.File("net.d");
        Directory.CreateDirectory(net);
        foreach (var (name, ipam) in new[] { ("calnet", ""), ("calsmall", ""","ipv4_pools":["edge-low","edge-high"]""") })
        {
            await File.WriteAllTextAsync(Path.Combine(net, name + ".conflist"),
                $$"""{"cniVersion":"1.0.0","name":"{{name}}","plugins":[{{Kernel.Conf(name, ipamExtra: ipam).Replace("\"cniVersion\":\"1.0.0\",", "", StringComparison.Ordinal).Replace($"\"name\":\"{name}\",", "", StringComparison.Ordinal)}},{{PortMapPlugin}}]}""");
        }

        await File.WriteAllTextAsync(Kernel.Dir.File("containers.conf"), $"""
            [containers]
            default_ulimits = []
            [engine]
            runtime = "runc"
            [network]
            network_backend = "cni"
            network_config_dir = "{net}"
            cni_plugin_dirs = ["{Kernel.PluginDir}", "/usr/lib/cni"]
            """);
        var img = Kernel.Dir.File("img");
        await Shell.ShAsync($"mkdir -p {img}/bin && cp /bin/busybox {img}/bin/ && for a in $(/bin/busybox --list); do [ \"$a\" = busybox ] || ln -sf busybox {img}/bin/$a; done && tar -C {img} -cf {img}.tar .");
        var import = await PodmanAsync("import", img + ".tar", Image);
        Assert.True(import.ExitCode == 0, import.Stderr);
        Ready = true;
    }

    public Task<Shell.Result> PodmanAsync(params string[] args) =>
        Shell.RunAsync("nsenter", [$"--net=/var/run/netns/{Kernel.HostNs}", "podman", "--root", Root, "--runroot", RunRoot, .. args],
            new Dictionary<string, string> { ["CONTAINERS_CONF"] = Kernel.Dir.File("containers.conf") });

    public async Task DisposeAsync()
    {
        if (Ready)
        {
            await PodmanAsync("rm", "-a", "-f", "-t", "0");
            await PodmanAsync("rmi", "-a", "-f");
        }

        // podman leaves overlay and shm mounts under its root and runroot; any still mounted make the directory
        // impossible to delete, so unmount everything beneath the fixture's directory, deepest first.
        await Shell.TryShAsync($"awk '{{print $5}}' /proc/self/mountinfo | grep '^{Kernel.Dir.Path}/' | sort -r | xargs -r -n1 umount -l; true");

        await Kernel.DisposeAsync();
    }
}
