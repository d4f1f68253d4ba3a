namespace Calico.Felix.Bpf;

/// <summary>
/// The program's idle timeouts (bpf/calico_tc.c ct_expired, upstream's BPF conntrack defaults), for the conntrack
/// scanner and the dumps. Times are bpf_ktime_get_ns: CLOCK_MONOTONIC nanoseconds. A change here must change the C too.
/// </summary>
public static class ConntrackExpiry
{
    public const byte Tcp = 6;
    public const byte Udp = 17;
    public const byte UdpLite = 136;
    public const byte Icmp = 1;
    public const byte Icmpv6 = 58;

    private const ulong SecondNs = 1_000_000_000;

    /// <summary>How long an entry of <paramref name="protocol"/> in <paramref name="state"/> may stay idle, in nanoseconds.</summary>
    public static ulong TimeoutNs(byte protocol, ConntrackState state) => protocol switch
    {
        Tcp => state switch
        {
            ConntrackState.New => 20 * SecondNs,
            ConntrackState.Closing => 30 * SecondNs,
            _ => 3600 * SecondNs,
        },
        Udp or UdpLite => 60 * SecondNs,
        Icmp or Icmpv6 => 5 * SecondNs,
        _ => 600 * SecondNs,
    };

    /// <summary>
    /// Whether the entry has been idle longer than its timeout at <paramref name="nowNs"/>, as the program decides. An
    /// entry seen at or after <paramref name="nowNs"/> (a packet refreshed it after the caller read the clock) is
    /// live: the C subtraction would wrap there, the program never meets that case since it reads the clock itself.
    /// </summary>
    public static bool IsExpired(ConntrackEntry entry, byte protocol, ulong nowNs)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return IsExpired(entry.LastSeenNs, entry.State, protocol, nowNs);
    }

    /// <summary>The same from the value's two fields (the scanner reads them in place, with no entry allocated).</summary>
    public static bool IsExpired(ulong lastSeenNs, ConntrackState state, byte protocol, ulong nowNs) =>
        nowNs > lastSeenNs && nowNs - lastSeenNs > TimeoutNs(protocol, state);
}
