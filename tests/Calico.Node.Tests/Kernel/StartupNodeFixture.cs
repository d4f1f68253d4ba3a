using System.Diagnostics;
using Calico.Client;
using Calico.Datastore.Embedded;
using Calico.TestKit;

namespace Calico.Node.Tests.Kernel;

/// <summary>
/// Root tier: the real calico-node (apphost from the test output) in a namespace of its own, on an empty embedded
/// datastore (no pool), started with every start-up variable set: the default pools, AS and CALICO_ROUTER_ID=hash.
/// The host's address 192.168.5.1/24 lies in upstream's default 192.168.0.0/16, so the IPv4 pool must move to
/// 172.16.0.0/16. Everything made is removed on dispose (namespace with BIRD and calico-node in it, temp dir).
/// </summary>
public sealed class StartupNodeFixture : IAsyncLifetime
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..6];
    private readonly ChildProcess _processes = new();
    private EmbeddedKeyValueStore? _store;
    private Process? _agent;
    private bool _namespaceMade;

    public TempDirectory Dir { get; } = new("node-startup");

    public string Ns => "cns" + _suffix;

    public ResourceClient Client { get; private set; } = null!;

    public static string Apphost => Path.Combine(AppContext.BaseDirectory, "calico-node");

    public string AgentOutput => _agent is null ? "" : _processes.OutputOf(_agent);

    public async Task InitializeAsync()
    {
        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException("these tests run calico-node in a network namespace: run them as root (./test.sh does under .ci/run)");
        }

        Prerequisites.Require("nft");
        Prerequisites.Require("bird");
        try
        {
            await StartAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        AgentHostFixture.Sh($"ip netns add {Ns}");
        _namespaceMade = true;
        AgentHostFixture.Sh($"ip -n {Ns} link set lo up && ip -n {Ns} link add ens5 type veth peer name ens5p && ip -n {Ns} addr add 192.168.5.1/24 dev ens5 && ip -n {Ns} link set ens5 up && ip -n {Ns} link set ens5p up");
        _store = new EmbeddedKeyValueStore(Dir.File("calico.db"));
        Client = new ResourceClient(_store, TimeProvider.System);
        await Client.EnsureInitializedAsync(CancellationToken.None);

        var environment = new Dictionary<string, string>
        {
            ["NODENAME"] = "host1",
            ["DATASTORE_TYPE"] = "embedded",
            ["CALICO_DATASTORE_PATH"] = Dir.File("calico.db"),
            ["IP"] = "192.168.5.1/24",
            ["FELIX_HEALTHENABLED"] = "true",
            ["FELIX_LOGSEVERITYSCREEN"] = "Info",
            ["CALICO_IPV4POOL_BLOCK_SIZE"] = "28",
            ["CALICO_IPV4POOL_VXLAN"] = "CrossSubnet",
            ["CALICO_IPV4POOL_NAT_OUTGOING"] = "false",
            ["CALICO_IPV4POOL_NODE_SELECTOR"] = "!has(edge)",
            ["CALICO_IPV4POOL_DISABLE_BGP_EXPORT"] = "true",
            ["CALICO_IPV6POOL_CIDR"] = "fd00:77::/48",
            ["CALICO_IPV6POOL_BLOCK_SIZE"] = "120",
            ["CALICO_IPV6POOL_NAT_OUTGOING"] = "true",
            ["AS"] = "64513",
            ["CALICO_ROUTER_ID"] = "hash",
        };
        _agent = _processes.Start("ip", ["netns", "exec", Ns, Apphost, "--felix-config", Dir.File("felix.cfg"), "--state-dir", Dir.Path], environment);
        await WaitForAsync(async () => (await NetnsSockets.HttpGetAsync(Ns, 9099, "/readiness"))?.Status == 200, TimeSpan.FromSeconds(30), "calico-node readiness");
        // The routing loop starts BIRD on its own schedule: wait until it answers on its socket.
        await WaitForAsync(BirdAnswersAsync, TimeSpan.FromSeconds(30), "BIRD on its control socket");
    }

    private async Task<bool> BirdAnswersAsync()
    {
        try
        {
            await using var control = await Calico.Bird.Control.BirdControl.ConnectAsync(Dir.File("bird.ctl"), CancellationToken.None);
            return true;
        }
        catch (Calico.Bird.Control.BirdControlException)
        {
            return false;
        }
    }

    public async Task DisposeAsync()
    {
        if (_agent is not null)
        {
            ChildProcess.Kill(_agent);
            _agent.WaitForExit(10_000);
        }

        _processes.Dispose();
        if (_namespaceMade)
        {
            // BIRD runs daemonised: whatever is left in our namespace goes with it.
            AgentHostFixture.Sh($"ip netns pids {Ns} 2>/dev/null | xargs -r kill -9 2>/dev/null || true");
            AgentHostFixture.Sh($"ip netns del {Ns} 2>/dev/null || true");
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        Dir.Dispose();
    }

    /// <summary>Runs <c>calico-node &lt;args&gt;</c> in the node's namespace (as a probe would): exit code and output.</summary>
    public async Task<(int Code, string Output)> RunCliAsync(params string[] args)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in (string[])["netns", "exec", Ns, Apphost, .. args])
        {
            info.ArgumentList.Add(a);
        }

        using Process p = Process.Start(info)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await stdout + await stderr);
    }

    public Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        Eventually.WaitAsync(condition, timeout, what, () => "calico-node output:\n" + AgentOutput);
}
