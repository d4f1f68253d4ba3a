using System.Net;
using System.Net.Sockets;
using Calico.Api;

namespace Calico.Cni;

internal sealed partial class CalicoPlugin
{
    /// <summary>
    /// As upstream's k8s.go: each floating IP paired with the workload's address of its family into
    /// <c>ipNATs</c> (refused when the workload has none of that family), and the allowed source prefixes written as
    /// <c>allowSpoofedSourcePrefixes</c>. Felix acts on them only with floatingIPs Enabled / workloadSourceSpoofing Any.
    /// </summary>
    private void AddFloatingIpsAndSourcePrefixes(WorkloadEndpointSpec spec, AddressAssigner.Assignment assignment)
    {
        if (Conf.Args.FloatingIps.Count > 0)
        {
            var nats = new List<IPNAT>(Conf.Args.FloatingIps.Count);
            foreach (IPAddress external in Conf.Args.FloatingIps)
            {
                bool v4 = external.AddressFamily == AddressFamily.InterNetwork;
                IReadOnlyList<IPNetwork> own = v4 ? assignment.IPv4 : assignment.IPv6;
                if (own.Count == 0)
                {
                    throw new CniException(CniErrorCodes.InvalidConfig,
                        $"invalid value in args.cni.floatingIPs: \"{external}\" is IPv{(v4 ? 4 : 6)} but the workload has no IPv{(v4 ? 4 : 6)} address to map it to");
                }

                nats.Add(new IPNAT { InternalIP = own[0].BaseAddress.ToString(), ExternalIP = external.ToString() });
            }

            spec.IpNATs = nats;
        }

        if (Conf.Args.AllowedSourcePrefixes.Count > 0)
        {
            spec.AllowSpoofedSourcePrefixes = [.. Conf.Args.AllowedSourcePrefixes.Select(p => p.ToString())];
        }
    }
}
