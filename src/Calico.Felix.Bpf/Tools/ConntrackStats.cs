namespace Calico.Felix.Bpf.Tools;

/// <summary>What conntrack stats counts (one pass over the entries).</summary>
public sealed record ConntrackStats(uint MapSize, int Total, int Tcp, int Udp, int TcpEstablished, int TcpClosed, int TcpSynSent, int Expired)
{
    public int Others => Total - Tcp - Udp;

    public static ConntrackStats Count(uint mapSize, IEnumerable<(ConntrackTuple Key, ConntrackEntry Entry)> entries, ulong nowNs)
    {
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

        return new ConntrackStats(mapSize, total, tcp, udp, established, closed, synSent, expired);
    }
}
