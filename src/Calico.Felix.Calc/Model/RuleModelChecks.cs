using Calico.Api;

namespace Calico.Felix.Calc.Model;

/// <summary>
/// The checks every dataplane makes of a rule before rendering it (nftables, BPF), with upstream's messages: byte
/// fields, IP version, ICMP matches needing an ICMP protocol and a type for a code, port ranges.
/// </summary>
public static class RuleModelChecks
{
    public static void Validate(RuleModel r)
    {
        CheckByte("protocol", r.Protocol);
        CheckByte("notProtocol", r.NotProtocol);
        CheckByte("icmp.type", r.IcmpType);
        CheckByte("icmp.code", r.IcmpCode);
        CheckByte("notICMP.type", r.NotIcmpType);
        CheckByte("notICMP.code", r.NotIcmpCode);
        if (r.IpVersion is not null and not 4 and not 6)
        {
            throw new ValidationException($"error with field ipVersion = '{r.IpVersion}' (must be 4 or 6)");
        }

        bool icmp = r.IcmpType is not null || r.IcmpCode is not null || r.NotIcmpType is not null || r.NotIcmpCode is not null;
        if (icmp && r.Protocol is not (1 or 58))
        {
            throw new ValidationException($"error with field protocol = '{r.Protocol}' (ICMP matches need protocol ICMP or ICMPv6)");
        }

        if ((r.IcmpCode is not null && r.IcmpType is null) || (r.NotIcmpCode is not null && r.NotIcmpType is null))
        {
            throw new ValidationException("error with field icmp.code = '' (an ICMP code needs an ICMP type)");
        }

        CheckPorts("source.ports", r.SrcPorts);
        CheckPorts("source.notPorts", r.NotSrcPorts);
        CheckPorts("destination.ports", r.DstPorts);
        CheckPorts("destination.notPorts", r.NotDstPorts);
    }

    private static void CheckByte(string field, int? value)
    {
        if (value is < 0 or > 255)
        {
            throw new ValidationException($"error with field {field} = '{value}' (must be 0-255)");
        }
    }

    private static void CheckPorts(string field, IReadOnlyList<PortRange> ports)
    {
        foreach (PortRange p in ports)
        {
            if (p.First < 0 || p.Last > 65535 || p.First > p.Last)
            {
                throw new ValidationException($"error with field {field} = '{p}' (bad port range)");
            }
        }
    }
}
