using System.Net;
using Calico.Api;
using Calico.Ipam;

namespace Calico.Lifecycle;

/// <summary>
/// The IPAM steps. Which allocations are the node's is decided from the blocks themselves, not only from the
/// endpoints upstream looks at, so a re-run after the endpoints are gone still finds every address: an allocation is
/// the node's when its <c>node</c> attribute names it, when its handle is one of the node's tunnel handles, or when
/// one of the node's endpoints or tunnel fields lists it and no <c>node</c> attribute says otherwise. Each release
/// carries the sequence number and handle it was read with, so an address re-allocated meanwhile is never released.
/// </summary>
internal sealed partial class NodeDeletionRun
{
    private const string NodeAttribute = "node";

    private async Task ReleaseAddressesAsync(CancellationToken ct)
    {
        var listed = ListedAddresses();
        var tunnelHandles = new HashSet<string>(NodeDeletion.TunnelHandles(nodeName), StringComparer.Ordinal);
        var requests = new List<ReleaseOptions>();
        foreach (var block in await ipam.ListBlockInfosAsync(ct).ConfigureAwait(false))
        {
            if (string.Equals(block.Host, nodeName, StringComparison.Ordinal))
            {
                _affineBlocks.Add(Cidr.Format(block.Cidr));
            }

            foreach (var a in block.Allocations)
            {
                if (a.InCooldown)
                {
                    continue;
                }

                string? owner = a.Attributes.GetValueOrDefault(NodeAttribute);
                bool ownedByUs = string.Equals(owner, nodeName, StringComparison.Ordinal);
                bool listedHere = listed.Contains(a.Address);
                bool ours = ownedByUs
                    || (a.HandleId is { } h && tunnelHandles.Contains(h))
                    || (listedHere && owner is null);
                if (!ours)
                {
                    if (listedHere)
                    {
                        _skipped.Add(a.Address);
                    }

                    continue;
                }

                requests.Add(new ReleaseOptions(a.Address, a.HandleId, a.SequenceNumber));
                if (a.HandleId is { } handle)
                {
                    _handles.Add(handle);
                }
            }
        }

        if (requests.Count == 0)
        {
            return;
        }

        var result = await ipam.ReleaseAsync(requests, ct).ConfigureAwait(false);
        var notReleased = new HashSet<IPAddress>(result.NotAllocated.Concat(result.Conflicts));
        _released.AddRange(requests.Select(r => r.Address).Where(a => !notReleased.Contains(a)));
        _skipped.AddRange(result.Conflicts);
        LifecycleLog.AddressesReleased(options.Logger, nodeName, _released.Count, _skipped.Count);
    }

    /// <summary>
    /// Every handle of the node goes once it holds no address: the handles of the addresses just released (normally
    /// already gone with their last address), its tunnel handles, and its workloads' handles
    /// (<c>&lt;network&gt;.&lt;containerID&gt;</c>, found from the endpoints, which still exist until the next step: so
    /// a handle left with a count after a crash between a block write and its handle update is found again).
    /// Tunnel and workload handles are released first, for an address the scan could not attribute.
    /// </summary>
    private async Task ReleaseHandlesAsync(CancellationToken ct)
    {
        var owned = new HashSet<string>(NodeDeletion.TunnelHandles(nodeName), StringComparer.Ordinal);
        var suffixes = _endpoints
            .Select(w => w.Spec.ContainerID)
            .Where(id => !string.IsNullOrEmpty(id))
            .Select(id => "." + id)
            .ToList();
        var inNodeBlocks = new List<string>();
        foreach (var (handle, blocks) in await ipam.ListHandlesAsync(ct).ConfigureAwait(false))
        {
            if (suffixes.Exists(s => handle.EndsWith(s, StringComparison.Ordinal) && handle.Length > s.Length))
            {
                owned.Add(handle);
            }
            else if (!_handles.Contains(handle) && blocks.Keys.Any(_affineBlocks.Contains))
            {
                inNodeBlocks.Add(handle);
            }
        }

        foreach (var handle in owned.Order(StringComparer.Ordinal))
        {
            await ipam.ReleaseByHandleAsync(handle, ct).ConfigureAwait(false);
        }

        foreach (var handle in owned.Concat(_handles).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            await DeleteHandleIfUnusedAsync(handle, TimeSpan.Zero, ct).ConfigureAwait(false);
        }

        // A handle that names one of the node's blocks but holds no address: a crash between a leaked address's block
        // write and its handle update (nothing else names that handle any more). Another node may be borrowing from
        // the block right now (handle written, block not yet), so it must stay unused and unchanged for a while.
        foreach (var handle in inNodeBlocks.Where(h => !owned.Contains(h)).Order(StringComparer.Ordinal))
        {
            await DeleteHandleIfUnusedAsync(handle, options.StaleHandleConfirmDelay, ct).ConfigureAwait(false);
        }
    }

    private async Task DeleteHandleIfUnusedAsync(string handle, TimeSpan confirmAfter, CancellationToken ct)
    {
        if (await ipam.DeleteHandleIfUnusedAsync(handle, confirmAfter, ct).ConfigureAwait(false))
        {
            _deletedHandles.Add(handle);
            LifecycleLog.HandleDeleted(options.Logger, nodeName, handle);
        }
    }

    /// <summary>The addresses the node's endpoints and its Node's tunnel fields say it holds.</summary>
    private HashSet<IPAddress> ListedAddresses()
    {
        var texts = new List<string?>();
        foreach (var wep in _endpoints)
        {
            texts.AddRange(wep.Spec.IpNetworks ?? []);
        }

        if (_node is { } node)
        {
            texts.Add(node.Spec.Bgp?.Ipv4IPIPTunnelAddr);
            texts.Add(node.Spec.Ipv4VXLANTunnelAddr);
            texts.Add(node.Spec.Ipv6VXLANTunnelAddr);
            texts.Add(node.Spec.Wireguard?.InterfaceIPv4Address);
            texts.Add(node.Spec.Wireguard?.InterfaceIPv6Address);
        }

        var addresses = new HashSet<IPAddress>();
        foreach (var text in texts)
        {
            if (text is null)
            {
                continue;
            }

            int slash = text.IndexOf('/', StringComparison.Ordinal);
            if (Cidr.TryParseAddress(slash < 0 ? text : text[..slash], out var address))
            {
                addresses.Add(address);
            }
        }

        return addresses;
    }
}
