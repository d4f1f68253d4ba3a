namespace Calico.Ctl.Commands;

/// <summary>
/// What <c>ipam release --from-report</c> may release (upstream release.go <c>mergeReports</c>): the addresses every
/// report lists as neither in use nor cooling down, with the handle and sequence number of the last report (the release
/// is refused per address when either changed since), and the leaked handles every report lists at the same revision.
/// Pure.
/// </summary>
internal sealed record IpamReleasePlan(
    IReadOnlyDictionary<string, IpamCheckReport.Allocation> Addresses,
    IReadOnlyDictionary<string, IpamCheckReport.Handle> Handles)
{
    public static IpamReleasePlan Merge(IReadOnlyList<IpamCheckReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        Dictionary<string, IpamCheckReport.Allocation>? addresses = null;
        Dictionary<string, IpamCheckReport.Handle>? handles = null;
        foreach (var report in reports)
        {
            var mergedAddresses = new Dictionary<string, IpamCheckReport.Allocation>(StringComparer.Ordinal);
            foreach (var allocation in report.Allocations.Values.SelectMany(a => a))
            {
                if (allocation.InUse || allocation.CoolingDown)
                {
                    continue;
                }

                if (addresses is not null && !addresses.ContainsKey(allocation.Ip))
                {
                    continue;
                }

                mergedAddresses[allocation.Ip] = allocation;
            }

            // An address some report saw in use is not leaked, whatever another report says.
            foreach (var allocation in report.Allocations.Values.SelectMany(a => a))
            {
                if (allocation.InUse)
                {
                    mergedAddresses.Remove(allocation.Ip);
                }
            }

            addresses = mergedAddresses;

            var mergedHandles = new Dictionary<string, IpamCheckReport.Handle>(StringComparer.Ordinal);
            foreach (var h in report.LeakedHandles)
            {
                if (handles is null || (handles.TryGetValue(h.Id, out var old) && old.Revision == h.Revision))
                {
                    mergedHandles[h.Id] = h;
                }
            }

            handles = mergedHandles;
        }

        return new IpamReleasePlan(
            addresses ?? new Dictionary<string, IpamCheckReport.Allocation>(StringComparer.Ordinal),
            handles ?? new Dictionary<string, IpamCheckReport.Handle>(StringComparer.Ordinal));
    }
}
