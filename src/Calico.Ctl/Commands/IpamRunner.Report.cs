using System.Globalization;
using Calico.Api;
using Calico.Client;
using Calico.Ipam;

namespace Calico.Ctl.Commands;

/// <summary><c>ipam check -o</c>: the report upstream's check.go writes, from what the check gathered.</summary>
internal sealed partial class IpamRunner
{
    private static byte[] Report(
        ClusterInformation? clusterInfo,
        Dictionary<string, List<AllocationInfo>> allocations,
        Dictionary<string, List<string>> inUse,
        Dictionary<AllocationInfo, BlockInfo> blocks,
        List<string> leakedHandles,
        IReadOnlyDictionary<string, long> handleRevisions)
    {
        var byIp = new Dictionary<string, IReadOnlyList<IpamCheckReport.Allocation>>(StringComparer.Ordinal);
        foreach (var (ip, allocs) in allocations)
        {
            var list = new List<IpamCheckReport.Allocation>(allocs.Count);
            bool used = inUse.TryGetValue(ip, out var owners);
            foreach (var a in allocs)
            {
                // As upstream's recordAllocation: the node is the block's host unless the allocation names its own;
                // an address whose node is not the block's host is borrowed.
                string blockHost = blocks.TryGetValue(a, out var b) ? b.Host ?? "" : "";
                string node = a.Attributes.TryGetValue("node", out var n) && n.Length > 0 ? n : blockHost;
                list.Add(new IpamCheckReport.Allocation(
                    ip,
                    a.HandleId,
                    a.SequenceNumber,
                    Attr(a, "pod"),
                    Attr(a, "namespace"),
                    node,
                    Attr(a, "type"),
                    Attr(a, "timestamp"),
                    used,
                    node != blockHost,
                    a.InCooldown,
                    used ? owners : null));
            }

            byIp[ip] = list;
        }

        var handles = leakedHandles
            .Where(handleRevisions.ContainsKey)
            .Select(h => new IpamCheckReport.Handle(h, null, handleRevisions[h].ToString(CultureInfo.InvariantCulture)))
            .ToList();
        return new IpamCheckReport(
            VersionInfo.Version,
            clusterInfo?.Spec.ClusterGUID ?? "",
            clusterInfo?.Spec.DatastoreReady == false,
            clusterInfo?.Metadata.ResourceVersion ?? "",
            clusterInfo?.Spec.ClusterType ?? "",
            byIp,
            handles).ToJson();
    }

    private static string? Attr(AllocationInfo a, string key) => a.Attributes.TryGetValue(key, out var v) ? v : null;
}
