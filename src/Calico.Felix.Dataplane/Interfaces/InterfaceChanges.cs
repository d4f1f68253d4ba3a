using Calico.Linux.Netlink;

namespace Calico.Felix.Dataplane.Interfaces;

/// <summary>One <see cref="InterfaceMonitor.Poll"/>: the whole snapshot plus what differs from the previous one.</summary>
public sealed record InterfaceChanges(
    IReadOnlyDictionary<string, LinkInfo> Current,
    IReadOnlyList<LinkInfo> Appeared,
    IReadOnlyList<LinkInfo> OperStateChanged,
    IReadOnlyList<string> Disappeared)
{
    public bool Any => Appeared.Count > 0 || OperStateChanged.Count > 0 || Disappeared.Count > 0;
}
