using System.Globalization;
using System.Net;

namespace Calico.Felix.Bpf.Tools;

/// <summary>
/// calico-node -bpf conntrack's output, after upstream calico-bpf's: one line per flow ("TCP a:p -> b:q  Active ago
/// 1.5s ESTABLISHED"), the raw fields with --raw, and the statistics. Pure: entries and the clock in, text out.
/// </summary>
public static class ConntrackDump
{
    /// <summary>
    /// One flow, opener first, as upstream prints it, then what only ours has: EXPIRED when the entry is idle past its
    /// timeout (the program ignores it; the scanner or the LRU removes it) and the interfaces whose policy hooks
    /// approved the flow. <paramref name="interfaceName"/> names an ifindex (null: the number alone).
    /// </summary>
    public static string Pretty(ConntrackTuple key, ConntrackEntry entry, ulong nowNs, Func<uint, string?>? interfaceName = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(entry);
        bool lowOpened = entry.Opener == ConntrackOpener.Low;
        var line = new System.Text.StringBuilder()
            .Append(ProtocolLabel(key.Protocol)).Append(' ')
            .Append(End(lowOpened ? key.Low : key.High, lowOpened ? key.LowPort : key.HighPort)).Append(" -> ")
            .Append(End(lowOpened ? key.High : key.Low, lowOpened ? key.HighPort : key.LowPort))
            .Append("  Active ago ").Append(GoDuration.Format(nowNs > entry.LastSeenNs ? nowNs - entry.LastSeenNs : 0))
            .Append(' ').Append(StateLabel(key.Protocol, entry.State));
        if (ConntrackExpiry.IsExpired(entry, key.Protocol, nowNs))
        {
            line.Append(" EXPIRED");
        }

        line.Append("  egress-allowed-by=").Append(Interface(entry.EgressApprovedIfindex, interfaceName))
            .Append(" ingress-allowed-by=").Append(Interface(entry.IngressApprovedIfindex, interfaceName));
        return line.ToString();
    }

    /// <summary>The key's and value's fields as stored (upstream's --raw prints the structs).</summary>
    public static string Raw(ConntrackTuple key, ConntrackEntry entry)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(entry);
        var c = CultureInfo.InvariantCulture;
        return $"proto={key.Protocol.ToString(c)} family={key.Family.ToString(c)} lo={End(key.Low, key.LowPort)} hi={End(key.High, key.HighPort)}"
            + $" -> created_ns={entry.CreatedNs.ToString(c)} last_seen_ns={entry.LastSeenNs.ToString(c)} state={((byte)entry.State).ToString(c)}"
            + $" opener={(entry.Opener == ConntrackOpener.Low ? "0" : "1")} flags=0x{entry.Flags.ToString("x4", c)}"
            + $" egress_approved_ifindex={entry.EgressApprovedIfindex.ToString(c)} ingress_approved_ifindex={entry.IngressApprovedIfindex.ToString(c)}";
    }

    /// <summary>Upstream's "TCP", "UDP", "ICMP", "ICMP6", else "Proto-&lt;n&gt;".</summary>
    public static string ProtocolLabel(byte protocol) => protocol switch
    {
        6 => "TCP",
        17 => "UDP",
        1 => "ICMP",
        58 => "ICMP6",
        _ => "Proto-" + protocol.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>TCP as upstream names it (SYN-SENT, ESTABLISHED, CLOSED: a FIN or an RST seen); other protocols NEW or ESTABLISHED.</summary>
    public static string StateLabel(byte protocol, ConntrackState state) => (protocol, state) switch
    {
        (6, ConntrackState.New) => "SYN-SENT",
        (6, ConntrackState.Closing) => "CLOSED",
        (_, ConntrackState.New) => "NEW",
        (_, ConntrackState.Established) => "ESTABLISHED",
        (_, ConntrackState.Closing) => "CLOSING",
        _ => "STATE-" + ((byte)state).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Upstream's conntrack stats, less what we do not track (NAT entries, RST apart from FIN), plus expired entries.</summary>
    public static void WriteStats(TextWriter output, uint mapSize, IEnumerable<(ConntrackTuple Key, ConntrackEntry Entry)> entries, ulong nowNs)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(entries);
        int total = 0, tcp = 0, udp = 0, established = 0, closed = 0, synSent = 0, expired = 0;
        foreach (var (key, entry) in entries)
        {
            total++;
            if (ConntrackExpiry.IsExpired(entry, key.Protocol, nowNs))
            {
                expired++;
            }

            if (key.Protocol == ConntrackExpiry.Tcp)
            {
                tcp++;
                _ = entry.State switch
                {
                    ConntrackState.New => synSent++,
                    ConntrackState.Closing => closed++,
                    _ => established++,
                };
            }
            else if (key.Protocol == ConntrackExpiry.Udp)
            {
                udp++;
            }
        }

        var c = CultureInfo.InvariantCulture;
        output.WriteLine("Conntrack map size: " + mapSize.ToString(c));
        output.WriteLine("Total connections: " + total.ToString(c));
        output.WriteLine("Expired (idle past timeout, not yet removed): " + expired.ToString(c));
        output.WriteLine();
        output.WriteLine("TCP : " + tcp.ToString(c));
        output.WriteLine("UDP : " + udp.ToString(c));
        output.WriteLine("Others : " + (total - tcp - udp).ToString(c));
        output.WriteLine();
        output.WriteLine("TCP Established: " + established.ToString(c));
        output.WriteLine("TCP Closed (FIN or RST): " + closed.ToString(c));
        output.WriteLine("TCP Syn-sent: " + synSent.ToString(c));
    }

    private static string End(IPAddress address, ushort port) =>
        (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "[" + address + "]" : address.ToString())
        + ":" + port.ToString(CultureInfo.InvariantCulture);

    private static string Interface(uint ifindex, Func<uint, string?>? name)
    {
        if (ifindex == 0)
        {
            return "-";
        }

        string number = ifindex.ToString(CultureInfo.InvariantCulture);
        return name?.Invoke(ifindex) is { } known ? known + "(" + number + ")" : number;
    }
}
