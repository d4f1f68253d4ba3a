using System.Globalization;
using Calico.Api;
using Calico.Client;
using Calico.Ipam;

namespace Calico.Ctl.Commands;

/// <summary>
/// <c>calicoctl ipam release --from-report=&lt;file&gt; [--force]</c> as upstream's release.go: the reports must come
/// from this cluster (GUID, never overridable), from this calicoctl version and the datastore must be locked (both
/// overridable with --force, with upstream's warnings), and one report must be current (the ClusterInformation revision
/// it recorded is still the stored one). Then each address every report lists as leaked is released only if it is
/// still leaked: nothing uses it now (the in-use scan is run again, ours) and its handle and sequence number are those
/// of the report (a re-allocated address has a new sequence number and is left alone); each leaked handle is deleted
/// only at the revision the reports recorded.
/// </summary>
internal sealed partial class IpamRunner
{
    public async Task<int> ReleaseFromReportsAsync(IReadOnlyList<string> files, bool force, CancellationToken ct)
    {
        var reports = new List<(string File, IpamCheckReport Report)>(files.Count);
        foreach (var file in files)
        {
            byte[] bytes;
            try
            {
                bytes = await File.ReadAllBytesAsync(file, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new CtlException($"Invalid value for --from-report: cannot read {file}: {e.Message}");
            }

            reports.Add((file, IpamCheckReport.Parse(file, bytes)));
        }

        var resources = context.OpenClient(configPath);
        if (await resources.GetAsync(ResourceKinds.ClusterInformation, null, "default", ct).ConfigureAwait(false) is not ClusterInformation clusterInfo)
        {
            throw new CtlException("resource does not exist: ClusterInformation(default): this datastore was never initialised, so no report can be from it. Refusing to release");
        }

        bool foundCurrent = false;
        foreach (var (file, report) in reports)
        {
            if ((clusterInfo.Spec.ClusterGUID ?? "") != report.ClusterGuid)
            {
                // Not overridable with --force: a report from another cluster would release live addresses.
                throw new CtlException($"cluster does not match the provided report ({file}): mismatched cluster GUID. Refusing to release");
            }

            if (report.Version != VersionInfo.Version)
            {
                if (!force)
                {
                    throw new CtlException($"the provided report ({file}) was produced using a different version ({report.Version}) of calicoctl. Refusing to release");
                }

                Out.WriteLine("WARNING: Report was produced using a different version of calicoctl. Ignoring due to --force option");
            }

            foundCurrent |= clusterInfo.Metadata.ResourceVersion == report.ClusterInfoRevision;
        }

        if (!foundCurrent)
        {
            throw new CtlException("the provided reports are all stale - at least one should be up-to-date. Please generate a new report while the data store is locked and try again");
        }

        if (!await DatastoreLock.IsLockedAsync(resources, ct).ConfigureAwait(false))
        {
            if (!force)
            {
                throw new CtlException("data store is not locked. Either lock the data store, or re-run with --force");
            }

            Out.WriteLine("WARNING: Data store is not locked. Ignoring due to --force option");
        }

        var plan = IpamReleasePlan.Merge([.. reports.Select(r => r.Report)]);
        var ipam = Open();
        await ReleaseLeakedIpsAsync(ipam, resources, plan, ct).ConfigureAwait(false);
        await DeleteLeakedHandlesAsync(ipam, plan, ct).ConfigureAwait(false);
        Out.WriteLine("You may now unlock the data store.");
        return 0;
    }

    private async Task ReleaseLeakedIpsAsync(IpamClient ipam, ResourceClient resources, IpamReleasePlan plan, CancellationToken ct)
    {
        if (plan.Addresses.Count == 0)
        {
            Out.WriteLine("Report didn't contain any leaked IPs to clean up.");
            return;
        }

        // Ours: an address something uses now (a workload or node that appeared since the report) is not released,
        // even when its allocation is unchanged.
        var now = await ScanInUseAsync(resources, ct).ConfigureAwait(false);
        var options = new List<ReleaseOptions>(plan.Addresses.Count);
        int nowInUse = 0;
        foreach (var a in plan.Addresses.Values.OrderBy(a => a.Ip, StringComparer.Ordinal))
        {
            if (!Cidr.TryParseAddress(a.Ip, out var address))
            {
                continue;
            }

            if (now.Owners.ContainsKey(address.ToString()))
            {
                nowInUse++;
                continue;
            }

            options.Add(new ReleaseOptions(address, string.IsNullOrEmpty(a.HandleId) ? null : a.HandleId, a.SequenceNumber));
        }

        Out.WriteLine($"Releasing {options.Count} old IPs...");
        var result = await ipam.ReleaseAsync(options, ct).ConfigureAwait(false);

        // A sequence number also moves when an address is released, so a conflict may be an address that is free now.
        int cleaned = result.NotAllocated.Count;
        var reallocated = new List<System.Net.IPAddress>();
        foreach (var address in result.Conflicts)
        {
            if (await ipam.GetAllocationAsync(address, ct).ConfigureAwait(false) is { InCooldown: false })
            {
                reallocated.Add(address);
            }
            else
            {
                cleaned++;
            }
        }

        Out.WriteLine($"Released {options.Count - result.NotAllocated.Count - result.Conflicts.Count} IPs successfully");
        if (cleaned != 0)
        {
            Out.WriteLine($"{cleaned} addresses marked as leaked in the report had already been cleaned up.");
        }

        if (reallocated.Count != 0)
        {
            Out.WriteLine($"{reallocated.Count} addresses marked as leaked in the report were allocated again since (sequence number or handle changed) and were left alone: {string.Join(", ", reallocated)}");
        }

        if (nowInUse != 0)
        {
            Out.WriteLine($"{nowInUse} addresses marked as leaked in the report are now used by a workload or node and were left alone.");
        }
    }

    private async Task DeleteLeakedHandlesAsync(IpamClient ipam, IpamReleasePlan plan, CancellationToken ct)
    {
        if (plan.Handles.Count == 0)
        {
            Out.WriteLine("Report didn't contain any handles to clean up.");
            return;
        }

        Out.WriteLine($"Deleting {plan.Handles.Count} handles...");
        Out.WriteLine("Key: '.' = Deleted OK; 'x' = skip, handle missing/changed.");
        int released = 0;
        int skipped = 0;
        foreach (var handle in plan.Handles.Values.OrderBy(h => h.Id, StringComparer.Ordinal))
        {
            bool ok = long.TryParse(handle.Revision, NumberStyles.None, CultureInfo.InvariantCulture, out long revision)
                && handle.Uid is null
                && await ipam.DeleteHandleIfUnchangedAsync(handle.Id, revision, ct).ConfigureAwait(false) == HandleDeleteOutcome.Deleted;
            if (ok)
            {
                released++;
                Out.Write('.');
            }
            else
            {
                skipped++;
                Out.Write('x');
            }
        }

        Out.WriteLine();
        Out.WriteLine($"Released {released} handles; {skipped} skipped; 0 errors.");
    }
}
