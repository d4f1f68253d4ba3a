using System.Net;

namespace Calico.Ipam;

/// <summary>The reserved CIDRs of every IPReservation: auto-assignment skips them (upstream addrFilter).</summary>
internal sealed class Reservations(IReadOnlyList<IPNetwork> cidrs)
{
    public static Reservations None { get; } = new([]);

    public IReadOnlyList<IPNetwork> Cidrs { get; } = cidrs;

    public bool MatchesIp(IPAddress address)
    {
        foreach (var cidr in Cidrs)
        {
            if (cidr.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    public bool MatchesWholeCidr(IPNetwork block)
    {
        foreach (var cidr in Cidrs)
        {
            if (IpMath.Covers(cidr, block))
            {
                return true;
            }
        }

        return false;
    }

    public bool MatchesSome(IPNetwork block)
    {
        foreach (var cidr in Cidrs)
        {
            if (Calico.Api.Cidr.Overlaps(cidr, block))
            {
                return true;
            }
        }

        return false;
    }
}
