namespace Calico.Felix.Dataplane.Interfaces;

/// <summary>
/// The dataplane-manager seam: the workload interfaces in, each with whether its workload may send from
/// allowSpoofedSourcePrefixes (rp_filter 0, the nft source check then decides), each configured once it exists and
/// again when that changes (the host-wide sysctls first, once), a report out. <see cref="Recheck"/> makes the next
/// apply read every interface again.
/// </summary>
public sealed partial class WorkloadInterfaceConfigurator : IDataplaneManager<IReadOnlyDictionary<string, bool>>
{
    private readonly Dictionary<string, bool> _configured = new(StringComparer.Ordinal);
    private bool _hostSysctlsDone;

    public Task<DataplaneReport> ApplyAsync(IReadOnlyDictionary<string, bool> desired, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        int writes = 0;
        if (!_hostSysctlsDone)
        {
            writes += EnsureHostSysctls();
            _hostSysctlsDone = true;
        }

        foreach (string gone in _configured.Keys.Where(iface => !desired.ContainsKey(iface)).ToList())
        {
            _configured.Remove(gone);
        }

        foreach (var (iface, allowSourceSpoofing) in desired)
        {
            if (_configured.TryGetValue(iface, out bool configuredWith) && configuredWith == allowSourceSpoofing)
            {
                continue;
            }

            InterfaceConfigResult result = Configure(iface, allowSourceSpoofing);
            writes += result.SysctlsWritten;
            if (result.InterfaceExists)
            {
                _configured[iface] = allowSourceSpoofing;
            }
        }

        return Task.FromResult(writes == 0 ? DataplaneReport.Unchanged : new DataplaneReport(writes, [], $"interfaces: {writes} sysctls written"));
    }

    /// <summary>Every interface is read (and repaired) again by the next apply.</summary>
    public void Recheck() => _configured.Clear();
}
