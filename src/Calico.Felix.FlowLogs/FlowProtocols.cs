using System.Globalization;

namespace Calico.Felix.FlowLogs;

/// <summary>Protocol names as upstream's collector writes them into FlowKey.proto (else the number).</summary>
public static class FlowProtocols
{
    public static string Name(int protocol) => protocol switch
    {
        1 => "icmp",
        4 => "ipip",
        6 => "tcp",
        17 => "udp",
        50 => "esp",
        58 => "icmp6",
        132 => "sctp",
        _ => protocol.ToString(CultureInfo.InvariantCulture),
    };
}
