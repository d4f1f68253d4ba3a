using System.Net;
using Calico.Bird;
using Calico.Linux.Netlink;

namespace Calico.Node.Routing;

/// <summary>Local workload peering: the peering addresses on the selected workloads' interfaces (see <see cref="LocalPeeringAddresses"/>).</summary>
internal sealed partial class LinuxRoutingDriver
{
    private LocalPeeringAddresses? _peeringAddresses;
    private IReadOnlyDictionary<string, IReadOnlyList<IPAddress>> _peeringDesired = new Dictionary<string, IReadOnlyList<IPAddress>>();
    private IReadOnlyList<string> _workloadInterfaces = [];

    /// <summary>After BIRD has its sessions: the workloads' way to them.</summary>
    private void ApplyLocalPeering(BirdInputs inputs)
    {
        var desired = LocalPeeringAddresses.Desired(LocalWorkloadPeers.Select(inputs), LocalWorkloadPeers.PeeringIpv4(inputs), LocalWorkloadPeers.PeeringIpv6(inputs));
        if (desired.Count == 0 && _peeringAddresses is null)
        {
            return; // never used here: nothing to add and nothing of ours to remove
        }

        _peeringDesired = desired;
        _workloadInterfaces = inputs.LocalWorkloads.Select(w => w.Spec.InterfaceName).OfType<string>().ToList();
        RepairLocalPeering();
    }

    /// <summary>Re-applies the last desired addresses (also the periodic repair); returns how many it wrote.</summary>
    private int RepairLocalPeering()
    {
        if (_peeringAddresses is null && _peeringDesired.Count == 0)
        {
            return 0;
        }

        _netlink ??= RouteNetlink.Open();
        _peeringAddresses ??= new LocalPeeringAddresses(_logger);
        return _peeringAddresses.Apply(_netlink, _peeringDesired, _workloadInterfaces);
    }
}
