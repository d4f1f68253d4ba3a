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
    /// <param name="snat">For a flow NAT outgoing in BPF rewrote: the source it leaves with (the host's NAT address and port).</param>
    public static string Pretty(ConntrackTuple key, ConntrackEntry entry, ulong nowNs, Func<uint, string?>? interfaceName = null, (IPAddress Address, ushort Port)? snat = null)
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
        if (snat is { } nat)
        {
            line.Append("  snat=").Append(End(nat.Address, nat.Port));
        }

        return line.ToString();
    }

    /// <summary>
    /// A host connection NAT outgoing in BPF gave a port of its own (its port was a workload's binding's towards the
    /// same remote): the kernel tracks the connection itself, so it has no entry here, only this line, flagged
    /// "host-psnat" as upstream flags such entries, with the source it leaves with.
    /// </summary>
    public static string PrettyHostPort(HostPortBinding binding, ulong nowNs)
    {
        ArgumentNullException.ThrowIfNull(binding);
        return new System.Text.StringBuilder()
            .Append(ProtocolLabel(binding.Protocol)).Append(' ')
            .Append(End(binding.Source, binding.SourcePort)).Append(" -> ").Append(End(binding.Destination, binding.DestinationPort))
            .Append("  Active ago ").Append(GoDuration.Format(nowNs > binding.LastSeenNs ? nowNs - binding.LastSeenNs : 0))
            .Append(" host-psnat (the host's own connection, tracked by the kernel; its port was a workload's NAT binding's)")
            .Append("  snat=").Append(End(binding.Source, binding.LeavesWithPort))
            .ToString();
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
        ConntrackStats stats = ConntrackStats.Count(mapSize, entries, nowNs);
        var c = CultureInfo.InvariantCulture;
        output.WriteLine("Conntrack map size: " + stats.MapSize.ToString(c));
        output.WriteLine("Total connections: " + stats.Total.ToString(c));
        output.WriteLine("Expired (idle past timeout, not yet removed): " + stats.Expired.ToString(c));
        output.WriteLine();
        output.WriteLine("TCP : " + stats.Tcp.ToString(c));
        output.WriteLine("UDP : " + stats.Udp.ToString(c));
        output.WriteLine("Others : " + stats.Others.ToString(c));
        output.WriteLine();
        output.WriteLine("TCP Established: " + stats.TcpEstablished.ToString(c));
        output.WriteLine("TCP Closed (FIN or RST): " + stats.TcpClosed.ToString(c));
        output.WriteLine("TCP Syn-sent: " + stats.TcpSynSent.ToString(c));
    }

    /// <summary>The statistics as upstream's --json names them (map_size, total_connections, tcp, ...), plus expired.</summary>
    public static void WriteStatsJson(TextWriter output, uint mapSize, IEnumerable<(ConntrackTuple Key, ConntrackEntry Entry)> entries, ulong nowNs)
    {
        ArgumentNullException.ThrowIfNull(output);
        ConntrackStats stats = ConntrackStats.Count(mapSize, entries, nowNs);
        ToolJson.Write(output, json =>
        {
            json.WriteStartObject();
            json.WriteNumber("map_size", stats.MapSize);
            json.WriteNumber("total_connections", stats.Total);
            json.WriteNumber("total_entries", stats.Total);
            json.WriteNumber("tcp", stats.Tcp);
            json.WriteNumber("udp", stats.Udp);
            json.WriteNumber("others", stats.Others);
            json.WriteNumber("tcp_established", stats.TcpEstablished);
            json.WriteNumber("tcp_closed", stats.TcpClosed);
            json.WriteNumber("tcp_syn_sent", stats.TcpSynSent);
            json.WriteNumber("expired", stats.Expired);
            json.WriteEndObject();
        });
    }

    /// <summary>
    /// The flows as one JSON array, after upstream's --json: each connection's type ("normal": we keep no NAT entries),
    /// proto, src and dst (opener first), flags, active_ago, tcp_state; then ours: state, expired, and the interfaces
    /// whose hooks approved it. With <paramref name="raw"/>, the stored ends (addr_a/port_a the lower) and fields.
    /// </summary>
    /// <param name="snat">Each NATed flow's source as it leaves (see <see cref="Pretty"/>); null or no answer: none.</param>
    /// <param name="hostPorts">Host connections given a port of their own (see <see cref="PrettyHostPort"/>): after the flows, flagged "host-psnat".</param>
    public static void WriteJson(TextWriter output, IEnumerable<(ConntrackTuple Key, ConntrackEntry Entry)> entries, ulong nowNs, bool raw, Func<uint, string?>? interfaceName = null,
        Func<ConntrackTuple, ConntrackEntry, (IPAddress Address, ushort Port)?>? snat = null, IEnumerable<HostPortBinding>? hostPorts = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(entries);
        ToolJson.Write(output, json =>
        {
            json.WriteStartArray();
            foreach (var (key, entry) in entries)
            {
                bool lowOpened = entry.Opener == ConntrackOpener.Low;
                json.WriteStartObject();
                json.WriteString("type", "normal");
                json.WriteString("proto", ProtocolLabel(key.Protocol));
                if (raw)
                {
                    json.WriteString("addr_a", key.Low.ToString());
                    json.WriteNumber("port_a", key.LowPort);
                    json.WriteString("addr_b", key.High.ToString());
                    json.WriteNumber("port_b", key.HighPort);
                }
                else
                {
                    json.WriteString("src", End(lowOpened ? key.Low : key.High, lowOpened ? key.LowPort : key.HighPort));
                    json.WriteString("dst", End(lowOpened ? key.High : key.Low, lowOpened ? key.HighPort : key.LowPort));
                }

                json.WriteStartArray("flags");
                json.WriteEndArray();
                json.WriteString("active_ago", GoDuration.Format(nowNs > entry.LastSeenNs ? nowNs - entry.LastSeenNs : 0));
                if (key.Protocol == ConntrackExpiry.Tcp)
                {
                    json.WriteString("tcp_state", StateLabel(key.Protocol, entry.State));
                }

                json.WriteString("state", StateLabel(0, entry.State));
                json.WriteBoolean("expired", ConntrackExpiry.IsExpired(entry, key.Protocol, nowNs));
                if (raw)
                {
                    json.WriteNumber("created_ns", entry.CreatedNs);
                    json.WriteNumber("last_seen_ns", entry.LastSeenNs);
                    json.WriteNumber("opener", entry.Opener == ConntrackOpener.Low ? 0 : 1);
                    json.WriteNumber("egress_approved_ifindex", entry.EgressApprovedIfindex);
                    json.WriteNumber("ingress_approved_ifindex", entry.IngressApprovedIfindex);
                }
                else
                {
                    json.WriteString("egress_allowed_by", Interface(entry.EgressApprovedIfindex, interfaceName));
                    json.WriteString("ingress_allowed_by", Interface(entry.IngressApprovedIfindex, interfaceName));
                }

                if (snat?.Invoke(key, entry) is { } nat)
                {
                    json.WriteString("snat", End(nat.Address, nat.Port));
                }

                json.WriteEndObject();
            }

            foreach (HostPortBinding binding in hostPorts ?? [])
            {
                json.WriteStartObject();
                json.WriteString("type", "normal");
                json.WriteString("proto", ProtocolLabel(binding.Protocol));
                json.WriteString("src", End(binding.Source, binding.SourcePort));
                json.WriteString("dst", End(binding.Destination, binding.DestinationPort));
                json.WriteStartArray("flags");
                json.WriteStringValue("host-psnat");
                json.WriteEndArray();
                json.WriteString("active_ago", GoDuration.Format(nowNs > binding.LastSeenNs ? nowNs - binding.LastSeenNs : 0));
                json.WriteString("snat", End(binding.Source, binding.LeavesWithPort));
                json.WriteEndObject();
            }

            json.WriteEndArray();
        });
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
