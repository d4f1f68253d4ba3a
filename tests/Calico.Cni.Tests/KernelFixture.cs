using Calico.Api;
using Calico.Client;
using Calico.Datastore.Embedded;
using Calico.TestKit;

namespace Calico.Cni.Tests;

/// <summary>
/// Root tier: a network namespace standing as the host (lo up, a default route over a spare veth so proxy ARP
/// answers, forwarding on), the plugin binary with its calico-ipam hard link, and an embedded datastore in a temp
/// dir initialised with pools. Removes everything it made.
/// </summary>
public sealed class KernelFixture : IAsyncLifetime
{
    private readonly List<string> _namespaces = [];

    public TempDirectory Dir { get; } = new("cni-kernel");

    public string HostNs { get; } = "cnih" + Guid.NewGuid().ToString("N")[..8];

    public string PluginDir { get; private set; } = "";

    public string DatastorePath => Dir.File("calico.db");

    public bool IsRoot { get; } = Environment.UserName == "root";

    public async Task InitializeAsync()
    {
        PluginDir = AppContext.BaseDirectory;
        var calico = Path.Combine(PluginDir, "calico");
        if (!File.Exists(calico))
        {
            throw new InvalidOperationException($"plugin apphost {calico} is missing from the test output");
        }

        var ipam = Path.Combine(PluginDir, "calico-ipam");
        if (!File.Exists(ipam))
        {
            await Shell.ShAsync($"ln -f '{calico}' '{ipam}'");
        }

        if (!IsRoot)
        {
            return;
        }

        await AddNamespaceAsync(HostNs);
        await Shell.ShAsync(
            $"ip -n {HostNs} link set lo up && ip -n {HostNs} link add hdef0 type veth peer name hdef1 && " +
            $"ip -n {HostNs} link set hdef0 up && ip -n {HostNs} link set hdef1 up && ip -n {HostNs} route add default dev hdef0 && " +
            $"nsenter --net=/var/run/netns/{HostNs} sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'");

        await using var store = new EmbeddedKeyValueStore(DatastorePath);
        var client = new ResourceClient(store, TimeProvider.System);
        await client.EnsureInitializedAsync(CancellationToken.None);
        foreach (var yaml in (string[])[
            "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: main\nspec:\n  cidr: 10.77.0.0/24\n  blockSize: 26\n  natOutgoing: false\n",
            "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: edge-low\nspec:\n  cidr: 10.88.0.0/31\n  blockSize: 31\n",
            "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: edge-high\nspec:\n  cidr: 10.88.0.254/31\n  blockSize: 31\n",
        ])
        {
            var created = await client.CreateAsync(ResourceCodec.Decode(yaml)[0], CancellationToken.None);
            Assert.True(created.Succeeded, created.Message);
        }
    }

    public async Task<string> AddNamespaceAsync(string name)
    {
        await Shell.ShAsync($"ip netns add {name}");
        lock (_namespaces)
        {
            _namespaces.Add(name);
        }

        return name;
    }

    public async Task DeleteNamespaceAsync(string name)
    {
        await Shell.TryShAsync($"ip netns del {name}");
        lock (_namespaces)
        {
            _namespaces.Remove(name);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var ns in _namespaces.ToArray())
        {
            await Shell.TryShAsync($"ip netns del {ns}");
        }

        Dir.Dispose();
    }

    public string Conf(string network = "calnet", string extra = "", string ipamExtra = "") =>
        $$"""{"cniVersion":"1.0.0","name":"{{network}}","type":"calico","datastore_type":"embedded","datastore_path":"{{DatastorePath}}","nodename":"node1","log_file_path":"{{Dir.File("cni.log")}}","ipam_lock_file":"{{Dir.File("ipam.lock")}}","ipam":{"type":"calico-ipam"{{(ipamExtra.Length == 0 ? ",\"ipv4_pools\":[\"main\"]" : ipamExtra)}}}{{extra}}}""";

    /// <summary>Execs the plugin (by <paramref name="name"/>) inside the host namespace, as a runtime would.</summary>
    public Task<Shell.Result> ExecAsync(string name, string command, string containerId, string? netns, string stdin, string? cniArgs = null)
    {
        var env = new Dictionary<string, string>
        {
            ["CNI_COMMAND"] = command,
            ["CNI_CONTAINERID"] = containerId,
            ["CNI_IFNAME"] = "eth0",
            ["CNI_PATH"] = PluginDir,
        };
        if (netns is not null)
        {
            env["CNI_NETNS"] = netns;
        }

        if (cniArgs is not null)
        {
            env["CNI_ARGS"] = cniArgs;
        }

        return Shell.RunAsync("nsenter", [$"--net=/var/run/netns/{HostNs}", Path.Combine(PluginDir, name)], env, stdin);
    }

    public async Task WithClientsAsync(Func<ResourceClient, Calico.Ipam.IpamClient, Task> action)
    {
        await using var store = new EmbeddedKeyValueStore(DatastorePath);
        await action(new ResourceClient(store, TimeProvider.System), new Calico.Ipam.IpamClient(store, TimeProvider.System));
    }
}
