using System.Net;
using System.Net.Sockets;

namespace Calico.Felix.FlowLogs;

/// <summary>
/// Names the ends of a flow from an address, as upstream's collector does: a workload or host endpoint owning the
/// address first (longest prefix among endpoint networks, in practice their /32 and /128), else the NetworkSet or
/// GlobalNetworkSet with the longest prefix containing it, else the network "pvt" (10/8, 172.16/12, 192.168/16:
/// upstream checks only these IPv4 blocks, so every IPv6 address outside a set is "pub") or "pub".
/// Immutable: the wiring builds a new index when endpoints or sets change and swaps it in.
/// </summary>
public sealed class FlowIdentityIndex
{
    private static readonly IPNetwork[] PrivateBlocks =
    [
        IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("192.168.0.0/16"),
    ];

    private readonly PrefixTable _endpoints = new();
    private readonly PrefixTable _networkSets = new();

    public static FlowIdentityIndex Empty { get; } = new([]);

    public FlowIdentityIndex(IEnumerable<FlowEndpointRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        foreach (var r in records)
        {
            var table = r.Identity.Type == Goldmane.Api.EndpointType.NetworkSet ? _networkSets : _endpoints;
            foreach (var net in r.Nets)
            {
                table.Add(net, r.Identity);
            }
        }
    }

    public FlowEndpoint Resolve(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return _endpoints.Lookup(address) ?? _networkSets.Lookup(address) ?? (IsPrivate(address) ? FlowEndpoint.PrivateNetwork : FlowEndpoint.PublicNetwork);
    }

    /// <summary>Whether upstream calls the address "pvt" (RFC 1918 IPv4 only).</summary>
    public static bool IsPrivate(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        foreach (var block in PrivateBlocks)
        {
            if (block.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Exact-match dictionaries per prefix length, searched from the longest: O(distinct lengths) per lookup.</summary>
    private sealed class PrefixTable
    {
        private readonly SortedDictionary<int, Dictionary<IPAddress, FlowEndpoint>> _v4 = new(Comparer<int>.Create((a, b) => b.CompareTo(a)));
        private readonly SortedDictionary<int, Dictionary<IPAddress, FlowEndpoint>> _v6 = new(Comparer<int>.Create((a, b) => b.CompareTo(a)));

        public void Add(IPNetwork net, FlowEndpoint identity)
        {
            var byLength = net.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? _v4 : _v6;
            if (!byLength.TryGetValue(net.PrefixLength, out var map))
            {
                map = [];
                byLength[net.PrefixLength] = map;
            }

            // First writer wins so that the result does not depend on dictionary order for overlapping owners.
            map.TryAdd(Mask(net.BaseAddress, net.PrefixLength), identity);
        }

        public FlowEndpoint? Lookup(IPAddress address)
        {
            var byLength = address.AddressFamily == AddressFamily.InterNetwork ? _v4 : _v6;
            foreach (var (length, map) in byLength)
            {
                if (map.TryGetValue(Mask(address, length), out var found))
                {
                    return found;
                }
            }

            return null;
        }

        private static IPAddress Mask(IPAddress address, int prefixLength)
        {
            Span<byte> bytes = stackalloc byte[16];
            address.TryWriteBytes(bytes, out int n);
            bytes = bytes[..n];
            for (int i = 0; i < n; i++)
            {
                int bits = Math.Clamp(prefixLength - (i * 8), 0, 8);
                bytes[i] &= (byte)(0xFF << (8 - bits));
            }

            return new IPAddress(bytes);
        }
    }
}
