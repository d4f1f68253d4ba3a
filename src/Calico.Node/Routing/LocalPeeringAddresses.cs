using System.Net;
using System.Net.Sockets;
using Calico.Bird;
using Calico.Linux;
using Calico.Linux.Netlink;
using Microsoft.Extensions.Logging;

namespace Calico.Node.Routing;

/// <summary>
/// The host's end of local workload peering (upstream Felix's endpoint manager + link-address manager): the
/// BGPConfiguration's <c>localWorkloadPeeringIPV4</c> (/32) and <c>localWorkloadPeeringIPV6</c> (/128) on the host
/// side of every workload interface a BGPPeer <c>localWorkloadSelector</c> selects, so the workload reaches BIRD at
/// that address (its packets arrive on that interface; the host answers from it). A host-length address on a
/// workload interface that is not wanted there (peer gone, address changed, left over from an earlier run) is
/// removed; the kernel's own IPv6 link-local (/64) addresses are never touched.
/// </summary>
internal sealed partial class LocalPeeringAddresses(ILogger logger)
{
    private const int ENODEV = 19;
    private readonly HashSet<string> _managed = new(StringComparer.Ordinal);
    private bool _swept;

    /// <summary>Interface → the addresses it should carry.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<IPAddress>> Desired(IReadOnlyList<LocalWorkloadPeer> peers, string? peeringIpv4, string? peeringIpv6)
    {
        ArgumentNullException.ThrowIfNull(peers);
        var addresses = new List<IPAddress>();
        foreach (var text in new[] { peeringIpv4, peeringIpv6 })
        {
            if (text is not null && IPAddress.TryParse(text, out IPAddress? address))
            {
                addresses.Add(address);
            }
        }

        var desired = new SortedDictionary<string, IReadOnlyList<IPAddress>>(StringComparer.Ordinal);
        if (addresses.Count == 0)
        {
            return desired;
        }

        foreach (var peer in peers.Where(p => p.InterfaceName.Length > 0))
        {
            desired[peer.InterfaceName] = addresses;
        }

        return desired;
    }

    /// <summary>
    /// Brings the interfaces to <paramref name="desired"/>; <paramref name="workloadInterfaces"/> are this node's
    /// workload interfaces (swept once for leftovers). Returns the number of addresses added or removed; an interface
    /// that does not exist yet is skipped (the next apply or refresh adds it).
    /// </summary>
    public int Apply(RouteNetlink netlink, IReadOnlyDictionary<string, IReadOnlyList<IPAddress>> desired, IEnumerable<string> workloadInterfaces)
    {
        ArgumentNullException.ThrowIfNull(netlink);
        ArgumentNullException.ThrowIfNull(desired);
        var candidates = new HashSet<string>(_managed, StringComparer.Ordinal);
        candidates.UnionWith(desired.Keys);
        if (!_swept)
        {
            candidates.UnionWith(workloadInterfaces);
        }

        if (candidates.Count == 0)
        {
            return 0;
        }

        var indexByName = netlink.ListLinks().Where(l => candidates.Contains(l.Name)).ToDictionary(l => l.Name, l => l.Index, StringComparer.Ordinal);
        var present = netlink.ListAddresses().Where(a => indexByName.ContainsValue(a.InterfaceIndex)).ToList();
        int writes = 0;
        foreach (var (name, index) in indexByName)
        {
            var wanted = desired.GetValueOrDefault(name) ?? [];
            var onLink = present.Where(a => a.InterfaceIndex == index).ToList();
            foreach (var stale in onLink.Where(a => a.PrefixLength == HostBits(a.Address) && !wanted.Contains(a.Address)))
            {
                if (netlink.TryDeleteAddress(index, stale.Address, stale.PrefixLength))
                {
                    Log.PeeringAddressRemoved(logger, stale.Address, name);
                    writes++;
                }
            }

            foreach (var address in wanted.Where(w => !onLink.Any(a => a.Address.Equals(w) && a.PrefixLength == HostBits(w))))
            {
                try
                {
                    netlink.AddAddress(index, address, HostBits(address), noDad: true);
                    Log.PeeringAddressAdded(logger, address, name);
                    writes++;
                }
                catch (NetlinkException ex) when (ex.Errno == ENODEV)
                {
                    // Gone since the listing: its endpoint is going too.
                }
            }
        }

        _swept = true;
        _managed.Clear();
        _managed.UnionWith(desired.Keys);
        return writes;
    }

    private static int HostBits(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;

    private static partial class Log
    {
        [LoggerMessage(48, LogLevel.Information, "Local workload peering address {Address} added on {Interface}")]
        public static partial void PeeringAddressAdded(ILogger logger, IPAddress address, string @interface);

        [LoggerMessage(49, LogLevel.Information, "Local workload peering address {Address} removed from {Interface}")]
        public static partial void PeeringAddressRemoved(ILogger logger, IPAddress address, string @interface);
    }
}
