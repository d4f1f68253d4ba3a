using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Calico.Api;
using Calico.Client;
using Calico.Datastore;
using Calico.Ipam;

namespace Calico.Lifecycle.Tests;

/// <summary>
/// A datastore as two calico-nodes and their pods leave it: per node a Node with IPIP, VXLAN and VXLAN v6 tunnel
/// addresses (allocated under upstream's tunnel handles), two workload endpoints with an IPv4 and an IPv6 address each,
/// host1 also has a leaked address (attributes name it, no endpoint), an empty affine block in a second pool, node.&lt;name&gt;
/// FelixConfiguration and BGPConfiguration, a node-scoped BGPPeer, a host endpoint and a CalicoNodeStatus. Node names
/// are "host1" and "host10" (a prefix of each other, as upstream's prefix listing trips on). host10 also borrows an
/// address from host1's first IPv4 block, so that block must outlive host1 without its affinity.
/// </summary>
internal static partial class LifecycleWorld
{
    public const string Doomed = "host1";
    public const string Keeper = "host10";
    public const string PoolA = "pool-a";
    public const string PoolB = "pool-b";
    public const string PoolV6 = "pool-v6";

    public static async Task<WorldFacts> BuildAsync(IKeyValueStore store, CancellationToken ct = default)
    {
        var resources = new ResourceClient(store, TimeProvider.System);
        var ipam = new IpamClient(store, TimeProvider.System) { CacheValidity = TimeSpan.Zero };
        await resources.EnsureInitializedAsync(ct);
        await CreateAsync(resources, $$"""
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata: {name: {{PoolA}}}
            spec: {cidr: 10.70.0.0/16, blockSize: 26, vxlanMode: Always}
            ---
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata: {name: {{PoolB}}}
            spec: {cidr: 10.71.0.0/24, blockSize: 28}
            ---
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata: {name: {{PoolV6}}}
            spec: {cidr: "fd00:70::/112", blockSize: 122}
            ---
            apiVersion: projectcalico.org/v3
            kind: BGPPeer
            metadata: {name: global-peer}
            spec: {peerIP: 192.0.2.254, asNumber: 64512}
            """, ct);

        IPAddress? borrowed = null;
        IPNetwork? sharedBlock = null;
        int i = 0;
        foreach (var node in new[] { Doomed, Keeper })
        {
            i++;
            string n = i.ToString(CultureInfo.InvariantCulture);
            var vxlan = await AssignAsync(ipam, "vxlan-tunnel-addr-" + node, node, 1, 0, [PoolA], "vxlanTunnelAddress", ct);
            var ipip = await AssignAsync(ipam, "ipip-tunnel-addr-" + node, node, 1, 0, [PoolA], "ipipTunnelAddress", ct);
            var vxlan6 = await AssignAsync(ipam, "vxlan-v6-tunnel-addr-" + node, node, 0, 1, [], "vxlanV6TunnelAddress", ct);
            await CreateAsync(resources, $$"""
                apiVersion: projectcalico.org/v3
                kind: Node
                metadata: {name: {{node}}}
                spec:
                  bgp: {ipv4Address: 192.0.2.{{n}}/24, ipv4IPIPTunnelAddr: {{ipip.IPv4[0].BaseAddress}}}
                  ipv4VXLANTunnelAddr: {{vxlan.IPv4[0].BaseAddress}}
                  ipv6VXLANTunnelAddr: "{{vxlan6.IPv6[0].BaseAddress}}"
                ---
                apiVersion: projectcalico.org/v3
                kind: FelixConfiguration
                metadata: {name: node.{{node}}}
                spec: {logSeverityScreen: Debug}
                ---
                apiVersion: projectcalico.org/v3
                kind: BGPConfiguration
                metadata: {name: node.{{node}}}
                spec: {logSeverityScreen: Debug}
                ---
                apiVersion: projectcalico.org/v3
                kind: BGPPeer
                metadata: {name: tor-of-{{node}}}
                spec: {node: {{node}}, peerIP: 192.0.2.20{{n}}, asNumber: 64513}
                ---
                apiVersion: projectcalico.org/v3
                kind: HostEndpoint
                metadata: {name: {{node}}-eth0, labels: {role: host} }
                spec: {node: {{node}}, interfaceName: eth0, expectedIPs: [192.0.2.{{n}}]}
                ---
                apiVersion: projectcalico.org/v3
                kind: CalicoNodeStatus
                metadata: {name: status-of-{{node}}}
                spec: {node: {{node}}, classes: [Agent], updatePeriodSeconds: 10}
                """, ct);

            foreach (var pod in new[] { "web", "db" })
            {
                string containerId = $"{pod}{n}0000c0ffee";
                var pair = await AssignAsync(ipam, "k8s-pod-network." + containerId, node, 1, 1, [], null, ct, pod);
                await CreateAsync(resources, $$"""
                    apiVersion: projectcalico.org/v3
                    kind: WorkloadEndpoint
                    metadata:
                      name: {{node}}-k8s-{{pod}}-eth0
                      namespace: ns1
                    spec:
                      orchestrator: k8s
                      node: {{node}}
                      pod: {{pod}}
                      endpoint: eth0
                      containerID: {{containerId}}
                      interfaceName: cali{{pod}}{{n}}
                      ipNetworks: [{{pair.IPv4[0].BaseAddress}}/32, "{{pair.IPv6[0].BaseAddress}}/128"]
                      profiles: [kns.ns1]
                    """, ct);
            }

            if (node == Doomed)
            {
                // Leaked: its pod is gone without a CNI DEL (ipam check reports it until the node goes).
                await AssignAsync(ipam, "k8s-pod-network.leaked" + n, node, 1, 0, [], null, ct, "gone");
            }

            // An affine block with nothing in it (its last address released).
            var tmp = await AssignAsync(ipam, "tmp-" + node, node, 1, 0, [PoolB], null, ct);
            Assert.True(await ipam.ReleaseByHandleAsync("tmp-" + node, ct));
            _ = tmp;

            if (node == Doomed)
            {
                var tunnel = vxlan.IPv4[0].BaseAddress;
                sharedBlock = (await ipam.ListBlockInfosAsync(ct)).Single(b => b.Cidr.Contains(tunnel)).Cidr;
            }
            else
            {
                var bytes = sharedBlock!.Value.BaseAddress.GetAddressBytes();
                bytes[3] += 60;
                borrowed = new IPAddress(bytes);
                await ipam.AssignIpAsync(new AssignIpArgs
                {
                    Address = borrowed,
                    HandleId = "k8s-pod-network.borrower",
                    Hostname = node,
                    Attributes = new Dictionary<string, string> { ["node"] = node, ["pod"] = "borrower", ["namespace"] = "ns1" },
                }, ct);
                await CreateAsync(resources, $$"""
                    apiVersion: projectcalico.org/v3
                    kind: WorkloadEndpoint
                    metadata: {name: {{node}}-k8s-borrower-eth0, namespace: ns1}
                    spec: {orchestrator: k8s, node: {{node}}, pod: borrower, endpoint: eth0, containerID: borrower, interfaceName: caliborrower, ipNetworks: [{{borrowed}}/32]}
                    """, ct);
            }
        }

        return new WorldFacts(sharedBlock!.Value, borrowed!);
    }

    public static async Task CreateAsync(ResourceClient resources, string yaml, CancellationToken ct)
    {
        foreach (var r in ResourceCodec.Decode(yaml))
        {
            var created = await resources.CreateAsync(r, ct);
            Assert.True(created.Succeeded, created.Message);
        }
    }

    private static Task<AutoAssignResult> AssignAsync(
        IpamClient ipam, string handle, string node, int v4, int v6, string[] v4Pools, string? type, CancellationToken ct, string? pod = null)
    {
        var attrs = new Dictionary<string, string> { ["node"] = node };
        if (type is not null)
        {
            attrs["type"] = type;
        }

        if (pod is not null)
        {
            attrs["pod"] = pod;
            attrs["namespace"] = "ns1";
        }

        return ipam.AutoAssignAsync(new AutoAssignArgs
        {
            HandleId = handle,
            Hostname = node,
            Num4 = v4,
            Num6 = v6,
            IPv4Pools = v4Pools,
            Attributes = attrs,
        }, ct);
    }

    /// <summary>Every key under /calico/ whose key or value names <paramref name="node"/> (as a whole word: host1 is not host10).</summary>
    public static async Task<List<string>> KeysNamingAsync(IKeyValueStore store, string node, string prefix = "/calico/")
    {
        var pattern = new Regex("(?<![A-Za-z0-9])" + Regex.Escape(node) + "(?![A-Za-z0-9])", RegexOptions.CultureInvariant);
        var all = await store.ListAsync(prefix, CancellationToken.None);
        return [.. all.Items
            .Where(kv => pattern.IsMatch(kv.Key) || pattern.IsMatch(Encoding.UTF8.GetString(kv.Value)))
            .Select(kv => kv.Key + " = " + Encoding.UTF8.GetString(kv.Value))];
    }

    /// <summary>
    /// The IPAM consistency upstream's <c>ipam check</c> looks for, over the store: every handle holds an address,
    /// every address's handle exists with a count that matches, every address in use is listed by a Node or endpoint.
    /// Returns the problems found (empty when clean).
    /// </summary>
    public static async Task<List<string>> IpamProblemsAsync(IKeyValueStore store)
    {
        var problems = new List<string>();
        var ipam = new IpamClient(store, TimeProvider.System) { CacheValidity = TimeSpan.Zero };
        var resources = new ResourceClient(store, TimeProvider.System);
        var blocks = await ipam.ListBlockInfosAsync(CancellationToken.None);
        var handles = await ipam.ListHandlesAsync(CancellationToken.None);
        var counts = new Dictionary<(string Handle, string Block), int>();
        foreach (var b in blocks)
        {
            foreach (var a in b.Allocations.Where(a => !a.InCooldown))
            {
                if (a.HandleId is { } h)
                {
                    var key = (h, Cidr.Format(b.Cidr));
                    counts[key] = counts.GetValueOrDefault(key) + 1;
                }
            }
        }

        foreach (var ((handle, block), count) in counts)
        {
            if (!handles.TryGetValue(handle, out var recorded))
            {
                problems.Add($"address(es) in {block} under handle {handle}, which does not exist");
            }
            else if (recorded.GetValueOrDefault(block) != count)
            {
                problems.Add($"handle {handle} records {recorded.GetValueOrDefault(block)} in {block}, the block holds {count}");
            }
        }

        foreach (var (handle, perBlock) in handles)
        {
            foreach (var (block, recorded) in perBlock)
            {
                if (!counts.ContainsKey((handle, block)))
                {
                    problems.Add($"handle {handle} records {recorded} in {block}, the block holds none");
                }
            }
        }

        var affinities = await store.ListAsync(ResourceKeys.IpamRoot + "host/", CancellationToken.None);
        foreach (var kv in affinities.Items)
        {
            if (ResourceKeys.TryParseIpamAffinity(kv.Key, out var host, out var cidr)
                && !blocks.Any(b => Cidr.Format(b.Cidr) == cidr && b.Host == host))
            {
                problems.Add($"affinity {kv.Key} without a block affine to {host}");
            }
        }

        var (nodes, _) = await resources.ListAsync(ResourceKinds.Node, null, CancellationToken.None);
        foreach (var b in blocks.Where(b => b.Host is not null && !nodes.Any(n => n.Metadata.Name == b.Host)))
        {
            problems.Add($"block {Cidr.Format(b.Cidr)} affine to {b.Host}, which is not a Node");
        }

        return problems;
    }
}

/// <summary>What a test needs to know about the world it built.</summary>
internal sealed record WorldFacts(IPNetwork SharedBlock, IPAddress BorrowedAddress);
