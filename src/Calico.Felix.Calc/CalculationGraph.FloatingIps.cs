using Calico.Api;
using Calico.Felix.Calc.Internal;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Calc;

public sealed partial class CalculationGraph
{
    /// <summary>
    /// A workload endpoint's <c>ipNATs</c> as upstream's calculation graph passes them on (<c>Ipv4Nat</c>/<c>Ipv6Nat</c>):
    /// both sides bare addresses of one family, canonical text, duplicates dropped. A pair that is not (a bad address,
    /// a prefix, mixed families) is skipped as bad addresses are: validation rejects it before it reaches the store.
    /// </summary>
    private static List<FloatingIpIntent> FloatingIps(List<IPNAT>? nats)
    {
        var result = new List<FloatingIpIntent>();
        foreach (IPNAT nat in nats ?? [])
        {
            if (nat.InternalIP.Contains('/', StringComparison.Ordinal) || nat.ExternalIP.Contains('/', StringComparison.Ordinal)
                || !RuleConverter.TryNormaliseCidr(nat.InternalIP, out string inside) || !RuleConverter.TryNormaliseCidr(nat.ExternalIP, out string outside))
            {
                continue;
            }

            var intent = new FloatingIpIntent(inside[..inside.IndexOf('/', StringComparison.Ordinal)], outside[..outside.IndexOf('/', StringComparison.Ordinal)]);
            if (intent.IsIpv6 == intent.InternalIp.Contains(':', StringComparison.Ordinal) && !result.Contains(intent))
            {
                result.Add(intent);
            }
        }

        return result;
    }
}
