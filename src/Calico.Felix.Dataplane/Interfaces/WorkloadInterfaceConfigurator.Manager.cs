namespace Calico.Felix.Dataplane.Interfaces;

/// <summary>
/// The dataplane-manager seam: the set of workload interfaces in, each configured once it exists (the host-wide
/// sysctls first, once), a report out. <see cref="Recheck"/> makes the next apply read every interface again.
/// </summary>
public sealed partial class WorkloadInterfaceConfigurator : IDataplaneManager<IReadOnlyCollection<string>>
{
    private readonly HashSet<string> _configured = new(StringComparer.Ordinal);
    private bool _hostSysctlsDone;

    public Task<DataplaneReport> ApplyAsync(IReadOnlyCollection<string> desired, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        int writes = 0;
        if (!_hostSysctlsDone)
        {
            writes += EnsureHostSysctls();
            _hostSysctlsDone = true;
        }

        _configured.IntersectWith(desired);
        foreach (string iface in desired)
        {
            if (_configured.Contains(iface))
            {
                continue;
            }

            InterfaceConfigResult result = Configure(iface);
            writes += result.SysctlsWritten;
            if (result.InterfaceExists)
            {
                _configured.Add(iface);
            }
        }

        return Task.FromResult(writes == 0 ? DataplaneReport.Unchanged : new DataplaneReport(writes, [], $"interfaces: {writes} sysctls written"));
    }

    /// <summary>Every interface is read (and repaired) again by the next apply.</summary>
    public void Recheck() => _configured.Clear();
}
