using System.Net;
using Calico.Api;
using Calico.Felix.Calc.Model;
using Calico.Reachability;

namespace Calico.Ctl.Commands;

/// <summary>
/// The workloads of a snapshot by the names people use: <c>ns/name</c> where name is the pod (spec.pod), else
/// spec.workload, else the endpoint's own name; each with its endpoint key and first address.
/// </summary>
internal sealed class WorkloadDirectory
{
    private readonly Dictionary<string, MatrixEndpoint> _byName = new(StringComparer.Ordinal);
    private readonly List<MatrixEndpoint> _all = [];

    public WorkloadDirectory(IEnumerable<Resource> resources)
    {
        foreach (var wep in resources.OfType<WorkloadEndpoint>())
        {
            var address = FirstAddress(wep.Spec.IpNetworks);
            if (address is null)
            {
                continue; // felix ignores endpoints without addresses
            }

            var ns = wep.Metadata.Namespace ?? "default";
            var key = new EndpointKey(false, ns, wep.Metadata.Name ?? "");
            var display = ns + "/" + DisplayName(wep);
            var entry = new MatrixEndpoint(display, key, address);
            _all.Add(entry);
            _byName.TryAdd(display, entry);
            _byName.TryAdd(ns + "/" + wep.Metadata.Name, entry);
            Ports.AddRange((wep.Spec.Ports ?? []).Select(p => (entry, p)));
        }

        _all.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
    }

    public IReadOnlyList<MatrixEndpoint> All => _all;

    public List<(MatrixEndpoint Endpoint, WorkloadEndpointPort Port)> Ports { get; } = [];

    public MatrixEndpoint? Find(string nsName) => _byName.GetValueOrDefault(nsName);

    private static string DisplayName(WorkloadEndpoint wep) =>
        !string.IsNullOrEmpty(wep.Spec.Pod) ? wep.Spec.Pod
        : !string.IsNullOrEmpty(wep.Spec.Workload) ? wep.Spec.Workload
        : wep.Metadata.Name ?? "";

    private static IPAddress? FirstAddress(List<string>? nets)
    {
        IPAddress? v6 = null;
        foreach (var net in nets ?? [])
        {
            var slash = net.IndexOf('/', StringComparison.Ordinal);
            if (!IPAddress.TryParse(slash < 0 ? net : net[..slash], out var a))
            {
                continue;
            }

            if (a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            {
                return a;
            }

            v6 ??= a;
        }

        return v6;
    }
}
