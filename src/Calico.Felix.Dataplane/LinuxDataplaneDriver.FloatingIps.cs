using System.Net;
using Calico.Felix.Calc.Model;
using Microsoft.Extensions.Logging;

namespace Calico.Felix.Dataplane;

internal sealed partial class LinuxDataplaneDriver
{
    /// <summary>Endpoints already warned about while FloatingIPs is Disabled: one warning each, not one per apply.</summary>
    private readonly HashSet<EndpointKey> _floatingIpsIgnored = [];

    /// <summary>
    /// As upstream's endpoint manager: with FloatingIPs Enabled, each ipNATs external address is routed (/32, /128) to
    /// the workload's interface beside its own addresses, so the host delivers it there (after the DNAT) and BIRD learns
    /// the route from the kernel and advertises it when it lies in an IP pool. Disabled: ignored, with one warning per
    /// endpoint naming the field.
    /// </summary>
    private IPNetwork[] WithFloatingIps(IPNetwork[] nets, EndpointIntent endpoint, bool floatingIps)
    {
        if (endpoint.FloatingIps.Count == 0)
        {
            _floatingIpsIgnored.Remove(endpoint.Key);
            return nets;
        }

        if (!floatingIps)
        {
            if (_floatingIpsIgnored.Add(endpoint.Key))
            {
                Log.FloatingIpsIgnored(_logger, endpoint.Key.ToString());
            }

            return nets;
        }

        _floatingIpsIgnored.Remove(endpoint.Key);
        var all = new List<IPNetwork>(nets);
        foreach (FloatingIpIntent nat in endpoint.FloatingIps)
        {
            if (IPNetwork.TryParse(nat.ExternalIp + (nat.IsIpv6 ? "/128" : "/32"), out IPNetwork external) && !all.Contains(external))
            {
                all.Add(external);
            }
        }

        all.Sort(static (a, b) => string.CompareOrdinal(a.ToString(), b.ToString()));
        return [.. all];
    }

    private static partial class Log
    {
        [LoggerMessage(32, LogLevel.Warning, "WorkloadEndpoint {Endpoint} spec.ipNATs ignored: FelixConfiguration floatingIPs is Disabled (upstream's default); set it to Enabled to program them")]
        public static partial void FloatingIpsIgnored(ILogger logger, string endpoint);
    }
}
