using Calico.Linux.Netlink;

namespace Calico.Linux.Conntrack;

/// <summary>
/// The conntrack table of one network namespace over ctnetlink: a dump with counters (<see cref="Dump"/>), and the
/// namespace's accounting switch (<see cref="EnableAccounting"/>: counters exist only for connections that began
/// while <c>net.netfilter.nf_conntrack_acct</c> was 1). Not thread-safe.
/// </summary>
public sealed class ConntrackTable : IDisposable
{
    /// <summary>The per-namespace sysctl that makes conntrack count packets and bytes.</summary>
    public const string AccountingSysctl = "net/netfilter/nf_conntrack_acct";

    private readonly NetlinkSocket _socket;
    private readonly NetlinkWriter _writer = new(NetlinkProtocol.Netfilter, 64);

    private ConntrackTable(NetlinkSocket socket) => _socket = socket;

    /// <summary>Opens the table of the calling thread's namespace.</summary>
    public static ConntrackTable Open() => new(NetlinkSocket.Open(NetlinkProtocol.Netfilter));

    /// <summary>Opens the table of the namespace at <paramref name="netnsPath"/> (the socket stays there).</summary>
    public static Task<ConntrackTable> OpenInAsync(string netnsPath, CancellationToken cancellationToken) =>
        NetworkNamespace.RunInAsync(netnsPath, Open, cancellationToken);

    /// <summary>
    /// Sets nf_conntrack_acct=1 in the calling thread's namespace (never call it from the machine's own namespace
    /// unless that is meant); true when it changed. Connections that began before keep no counters.
    /// </summary>
    public static bool EnableAccounting() => Sysctl.Ensure(AccountingSysctl, "1");

    /// <summary>Sets nf_conntrack_acct=1 inside the namespace at <paramref name="netnsPath"/>; true when it changed.</summary>
    public static Task<bool> EnableAccountingInAsync(string netnsPath, CancellationToken cancellationToken) =>
        NetworkNamespace.RunInAsync(netnsPath, EnableAccounting, cancellationToken);

    /// <summary>Every entry of the table, both families (kind <see cref="ConntrackEventKind.Dump"/>).</summary>
    public List<ConntrackEntry> Dump()
    {
        var entries = new List<ConntrackEntry>();
        _writer.Reset();
        ConntrackCodec.WriteDumpRequest(_writer, _socket.NextSequence());
        int errno = _socket.Dump(_writer.Written, (type, payload) =>
        {
            if (ConntrackCodec.KindOf(type, dump: true) is { } kind && ConntrackCodec.Decode(kind, payload) is { } entry)
            {
                entries.Add(entry);
            }
        }, out string? detail);
        if (errno != 0)
        {
            throw NetlinkSocket.Failure("ctnetlink dump", errno, detail);
        }

        return entries;
    }

    public void Dispose() => _socket.Dispose();
}
