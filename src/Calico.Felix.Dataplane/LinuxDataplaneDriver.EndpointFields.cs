using System.Net;
using Calico.Felix.Calc.Model;
using Microsoft.Extensions.Logging;

namespace Calico.Felix.Dataplane;

internal sealed partial class LinuxDataplaneDriver
{
    /// <summary>
    /// Endpoint fields already warned about as ignored (ipNATs while FloatingIPs is Disabled, allowSpoofedSourcePrefixes
    /// while WorkloadSourceSpoofing is Disabled): one warning each, not one per apply; again after the field acted.
    /// </summary>
    private readonly HashSet<(EndpointKey Endpoint, string Field)> _ignoredFieldsWarned = [];

    /// <summary>Warns once that <paramref name="field"/> of <paramref name="endpoint"/> is set but ignored, while <paramref name="ignored"/>.</summary>
    private void WarnIgnoredOnce(EndpointKey endpoint, string field, string setting, bool ignored)
    {
        if (!ignored)
        {
            _ignoredFieldsWarned.Remove((endpoint, field));
        }
        else if (_ignoredFieldsWarned.Add((endpoint, field)))
        {
            Log.EndpointFieldIgnored(_logger, endpoint.ToString(), field, setting);
        }
    }

    /// <summary>
    /// Upstream does not apply doNotTrack policy to an all-interfaces ("*") host endpoint, nor do we: say so once per
    /// endpoint, naming the policies' field, rather than leave the operator guessing why the traffic is tracked.
    /// </summary>
    private void WarnUntrackedOnAllInterfaces(EndpointIntent endpoint)
    {
        bool ignored = endpoint.InterfaceName == "*" && endpoint.UntrackedTiers.Count > 0;
        if (!ignored)
        {
            _ignoredFieldsWarned.Remove((endpoint.Key, "doNotTrack"));
        }
        else if (_ignoredFieldsWarned.Add((endpoint.Key, "doNotTrack")))
        {
            Log.UntrackedOnAllInterfacesIgnored(_logger, endpoint.Key.ToString());
        }
    }

    /// <summary>
    /// As upstream's endpoint manager: with FloatingIPs Enabled, each ipNATs external address is routed (/32, /128) to
    /// the workload's interface beside its own addresses, so the host delivers it there (after the DNAT) and BIRD learns
    /// the route from the kernel and advertises it when it lies in an IP pool. Disabled: ignored, with one warning per
    /// endpoint naming the field.
    /// </summary>
    private IPNetwork[] WithFloatingIps(IPNetwork[] nets, EndpointIntent endpoint, bool floatingIps)
    {
        WarnIgnoredOnce(endpoint.Key, "spec.ipNATs", "floatingIPs", ignored: endpoint.FloatingIps.Count > 0 && !floatingIps);
        if (endpoint.FloatingIps.Count == 0 || !floatingIps)
        {
            return nets;
        }

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
        [LoggerMessage(32, LogLevel.Warning, "WorkloadEndpoint {Endpoint} {Field} ignored: FelixConfiguration {Setting} is Disabled (upstream's default); set it to the enabling value (floatingIPs: Enabled, workloadSourceSpoofing: Any) for it to act")]
        public static partial void EndpointFieldIgnored(ILogger logger, string endpoint, string field, string setting);

        [LoggerMessage(33, LogLevel.Warning, "HostEndpoint {Endpoint} has interfaceName \"*\": GlobalNetworkPolicy spec.doNotTrack policies selecting it are ignored, as upstream (untracked policy needs a named host endpoint)")]
        public static partial void UntrackedOnAllInterfacesIgnored(ILogger logger, string endpoint);
    }
}
