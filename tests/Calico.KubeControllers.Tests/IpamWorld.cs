using System.Net;
using Calico.Api;
using Calico.Client;
using Calico.Datastore.Embedded;
using Calico.Ipam;
using Calico.TestKit;
using Microsoft.Extensions.Time.Testing;

namespace Calico.KubeControllers.Tests;

/// <summary>An embedded store with a pool, nodes, workload endpoints and allocations made as the CNI plugin and calico-node make them.</summary>
internal sealed class IpamWorld : IAsyncDisposable
{
    private readonly TempDirectory _dir = new("kc-test");

    public IpamWorld()
    {
        Store = new EmbeddedKeyValueStore(_dir.File("calico.db"));
        Client = new ResourceClient(Store, Time);
        Ipam = new IpamClient(Store, Time) { CacheValidity = TimeSpan.Zero };
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));

    public EmbeddedKeyValueStore Store { get; }

    public ResourceClient Client { get; }

    public IpamClient Ipam { get; }

    public static CancellationToken Ct => CancellationToken.None;

    public async Task AddPoolAsync(string cidr = "10.65.0.0/16", int blockSize = 26)
    {
        var pool = new IPPool { Spec = new IPPoolSpec { Cidr = cidr, BlockSize = blockSize } };
        pool.Metadata.Name = "pool1";
        Check(await Client.CreateAsync(pool, Ct));
    }

    public async Task AddNodeAsync(string name, Dictionary<string, string>? labels = null, string? ipv4 = null)
    {
        var node = new Node();
        node.Metadata.Name = name;
        node.Metadata.Labels = labels;
        if (ipv4 is not null)
        {
            node.Spec.Bgp = new NodeBGPSpec { Ipv4Address = ipv4 };
        }

        Check(await Client.CreateAsync(node, Ct));
    }

    public async Task DeleteNodeAsync(string name) =>
        Check(await Client.DeleteAsync(ResourceKinds.Node, null, name, null, Ct));

    /// <summary>An address assigned as the CNI plugin does (handle, node and timestamp attributes).</summary>
    public async Task<IPAddress> AssignWorkloadAsync(string node, string containerId)
    {
        var result = await Ipam.AutoAssignAsync(new AutoAssignArgs
        {
            HandleId = "k8s-pod-network." + containerId,
            Hostname = node,
            Attributes = new Dictionary<string, string> { ["node"] = node, ["timestamp"] = "2026-12-06T12:00:00Z" },
        }, Ct);
        return result.IPv4[0].BaseAddress;
    }

    /// <summary>A tunnel address as calico-node's routing loop assigns it.</summary>
    public async Task<IPAddress> AssignTunnelAsync(string node)
    {
        var result = await Ipam.AutoAssignAsync(new AutoAssignArgs
        {
            HandleId = "vxlan-tunnel-addr-" + node,
            Hostname = node,
            IntendedUse = "Tunnel",
            Attributes = new Dictionary<string, string> { ["node"] = node, ["type"] = "vxlanTunnelAddress" },
        }, Ct);
        return result.IPv4[0].BaseAddress;
    }

    public async Task AddEndpointAsync(string node, string containerId, IPAddress address)
    {
        var wep = new WorkloadEndpoint();
        wep.Metadata.Namespace = "default";
        wep.Spec = new WorkloadEndpointSpec
        {
            Orchestrator = "cni",
            Node = node,
            ContainerID = containerId,
            Endpoint = "eth0",
            InterfaceName = "cali" + containerId[..Math.Min(11, containerId.Length)],
            IpNetworks = [address + "/32"],
        };
        Assert.True(WorkloadEndpointNames.TryCompute(wep.Spec, out var name, out var error), error?.ToString());
        wep.Metadata.Name = name;
        Check(await Client.CreateAsync(wep, Ct));
    }

    public async Task DeleteEndpointAsync(string node, string containerId)
    {
        Assert.True(WorkloadEndpointNames.TryCompute(new WorkloadEndpointSpec { Orchestrator = "cni", Node = node, ContainerID = containerId, Endpoint = "eth0" }, out var name, out _));
        Check(await Client.DeleteAsync(ResourceKinds.WorkloadEndpoint, "default", name, null, Ct));
    }

    public async Task<bool> IsAllocatedAsync(IPAddress address) =>
        await Ipam.GetAllocationAsync(address, Ct) is { InCooldown: false };

    public async Task<IReadOnlyList<BlockInfo>> BlocksAsync() => await Ipam.ListBlockInfosAsync(Ct);

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        _dir.Dispose();
    }

    private static void Check(OperationResult result) => Assert.True(result.Succeeded, result.Message);
}
