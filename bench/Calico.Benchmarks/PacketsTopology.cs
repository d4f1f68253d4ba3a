using System.Net;
using Calico.Linux;
using Calico.TestKit;

namespace Calico.Benchmarks;

/// <summary>
/// The routed path of performance-anchors 2.a, built by our CNI wiring: a namespace standing as the host (forwarding
/// on, a spare veth carrying the default route so proxy ARP answers for 169.254.1.1) and two pod namespaces wired
/// by <see cref="WorkloadInterfaces.SetUpAsync"/>. Dispose deletes all three namespaces, whatever happened.
/// </summary>
internal sealed class PacketsTopology : IDisposable
{
    public const string ClientIp = "10.65.0.1";
    public const string ServerIp = "10.65.0.2";

    private readonly List<NetnsScope> _scopes = [];

    private PacketsTopology()
    {
    }

    public NetnsScope Host { get; private set; } = null!;

    public NetnsScope Client { get; private set; } = null!;

    public NetnsScope Server { get; private set; } = null!;

    /// <summary>Cross-host: the server pod's host, joined to <see cref="Host"/> by a veth "uplink" (null on one host).</summary>
    public NetnsScope? Host2 { get; private set; }

    public string ClientHostIf { get; } = NetnsScope.UniqueInterfaceName("cali");

    public string ServerHostIf { get; } = NetnsScope.UniqueInterfaceName("cali");

    /// <param name="crossHost">
    /// The server pod on a second host namespace, the two hosts joined by a veth (192.168.77.1 and .2/24) and each
    /// routing the other's pod through it, as two nodes on one L2 segment with BGP-learned routes and no encapsulation.
    /// </param>
    /// <param name="direct">
    /// The ceiling: the two pods joined by one veth pair, each routing the other's /32 straight out of eth0; no host
    /// namespace between them, so no routing, no tc and no netfilter. Every dataplane delivers a packet from one pod's
    /// namespace into the other's at least, so no dataplane can beat this path (<see cref="Host"/> is then an empty
    /// namespace, never on the path).
    /// </param>
    public static async Task<PacketsTopology> CreateAsync(CancellationToken cancellationToken, bool crossHost = false, bool direct = false)
    {
        var topology = new PacketsTopology();
        try
        {
            if (direct)
            {
                topology.Host = topology.Add(new NetnsScope("cpkh"));
                topology.Client = topology.Add(new NetnsScope("cpkc"));
                topology.Server = topology.Add(new NetnsScope("cpks"));
                WireDirect(topology.Client, topology.Server);
                return topology;
            }

            topology.Host = topology.Add(new NetnsScope("cpkh"));
            topology.Client = topology.Add(new NetnsScope("cpkc"));
            topology.Server = topology.Add(new NetnsScope("cpks"));
            NetnsScope host = topology.Host;
            SetUpHost(host);
            NetnsScope serverHost = host;
            if (crossHost)
            {
                NetnsScope host2 = topology.Add(new NetnsScope("cpkr"));
                topology.Host2 = host2;
                SetUpHost(host2);
                host.Ip("link", "add", "up0", "type", "veth", "peer", "name", "up0", "netns", host2.Name);
                host.Ip("addr", "add", "192.168.77.1/24", "dev", "up0");
                host2.Ip("addr", "add", "192.168.77.2/24", "dev", "up0");
                host.Ip("link", "set", "up0", "up");
                host2.Ip("link", "set", "up0", "up");
                host.Ip("route", "add", ServerIp + "/32", "via", "192.168.77.2", "dev", "up0");
                host2.Ip("route", "add", ClientIp + "/32", "via", "192.168.77.1", "dev", "up0");
                serverHost = host2;
            }

            await WireAsync(host, topology.Client, topology.ClientHostIf, ClientIp, cancellationToken);
            await WireAsync(serverHost, topology.Server, topology.ServerHostIf, ServerIp, cancellationToken);
            return topology;
        }
        catch
        {
            topology.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        // Pods first: deleting a pod namespace removes its veth, so the host namespace holds nothing of theirs.
        for (var i = _scopes.Count - 1; i >= 0; i--)
        {
            _scopes[i].Dispose();
        }

        _scopes.Clear();
    }

    /// <summary>Forwarding on, and a spare veth carrying the default route so proxy ARP answers for 169.254.1.1.</summary>
    private static void SetUpHost(NetnsScope host)
    {
        host.Ip("link", "add", "hdef0", "type", "veth", "peer", "name", "hdef1");
        host.Ip("link", "set", "hdef0", "up");
        host.Ip("link", "set", "hdef1", "up");
        host.Ip("route", "add", "default", "dev", "hdef0");
        host.Exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
    }

    private static void WireDirect(NetnsScope client, NetnsScope server)
    {
        client.Ip("link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", server.Name);
        foreach ((NetnsScope pod, string own, string other) in new[] { (client, ClientIp, ServerIp), (server, ServerIp, ClientIp) })
        {
            pod.Ip("addr", "add", own + "/32", "dev", "eth0");
            pod.Ip("link", "set", "eth0", "up");
            pod.Ip("route", "add", other + "/32", "dev", "eth0");
        }
    }

    private NetnsScope Add(NetnsScope scope)
    {
        _scopes.Add(scope);
        return scope;
    }

    private static Task<WorkloadInterfaceResult> WireAsync(NetnsScope host, NetnsScope pod, string hostIf, string ip, CancellationToken cancellationToken)
    {
        var spec = new WorkloadInterfaceSpec
        {
            NetnsPath = pod.Path,
            ContainerIfName = "eth0",
            HostIfName = hostIf,
            IPv4 = [IPNetwork.Parse(ip + "/32")],
        };
        return NetworkNamespace.RunInAsync(host.Path, () => WorkloadInterfaces.SetUpAsync(spec, cancellationToken), cancellationToken);
    }
}
