using System.Net;
using Calico.Linux;
using Calico.TestKit;

namespace Calico.Benchmarks;

/// <summary>
/// The host's edge for <see cref="HostEdgeBenchmarks"/>: a namespace standing as the host, with its outside interface
/// <see cref="HostIf"/> (198.18.0.1/24, default route to the outside) on a veth to an "outside" namespace
/// (198.18.0.2/24, routing the pod range back through the host, as a top-of-rack router would), and two pods wired by
/// <see cref="WorkloadInterfaces.SetUpAsync"/> (the CNI plugin's wiring). Dispose deletes every namespace.
/// </summary>
internal sealed class HepTopology : IDisposable
{
    public const string HostIf = "heth0";
    public const string HostIp = "198.18.0.1";
    public const string OutsideIp = "198.18.0.2";
    public const string ClientIp = "10.65.0.1";
    public const string ServerIp = "10.65.0.2";

    private readonly List<NetnsScope> _scopes = [];

    private HepTopology()
    {
    }

    public NetnsScope Host { get; private set; } = null!;

    public NetnsScope Outside { get; private set; } = null!;

    public NetnsScope Client { get; private set; } = null!;

    public NetnsScope Server { get; private set; } = null!;

    public string ClientHostIf { get; } = NetnsScope.UniqueInterfaceName("cali");

    public string ServerHostIf { get; } = NetnsScope.UniqueInterfaceName("cali");

    public static async Task<HepTopology> CreateAsync(CancellationToken cancellationToken)
    {
        var topology = new HepTopology();
        try
        {
            NetnsScope host = topology.Host = topology.Add(new NetnsScope("cheh"));
            NetnsScope outside = topology.Outside = topology.Add(new NetnsScope("cheo"));
            topology.Client = topology.Add(new NetnsScope("chec"));
            topology.Server = topology.Add(new NetnsScope("ches"));
            host.Ip("link", "add", HostIf, "type", "veth", "peer", "name", "oeth0", "netns", outside.Name);
            host.Ip("addr", "add", HostIp + "/24", "dev", HostIf);
            host.Ip("link", "set", HostIf, "up");
            host.Ip("route", "add", "default", "via", OutsideIp);
            outside.Ip("addr", "add", OutsideIp + "/24", "dev", "oeth0");
            outside.Ip("link", "set", "oeth0", "up");
            outside.Ip("route", "add", "10.65.0.0/16", "via", HostIp);
            host.Exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
            await WireAsync(host, topology.Client, topology.ClientHostIf, ClientIp, cancellationToken);
            await WireAsync(host, topology.Server, topology.ServerHostIf, ServerIp, cancellationToken);
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
        for (var i = _scopes.Count - 1; i >= 0; i--)
        {
            _scopes[i].Dispose();
        }

        _scopes.Clear();
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
