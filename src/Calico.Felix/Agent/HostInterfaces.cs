using System.Net;

namespace Calico.Felix.Agent;

/// <summary>
/// The host's network interfaces and the addresses on each, as read from the kernel at one moment (addresses
/// without prefix length; names compared ordinally). Immutable: a change of the host is a new instance.
/// </summary>
internal sealed class HostInterfaces
{
    public HostInterfaces(IReadOnlyDictionary<string, IReadOnlyList<IPAddress>> byName)
    {
        ArgumentNullException.ThrowIfNull(byName);
        var copy = new SortedDictionary<string, IReadOnlyList<IPAddress>>(StringComparer.Ordinal);
        foreach (var (name, addresses) in byName)
        {
            var sorted = addresses.Distinct().ToList();
            sorted.Sort(static (a, b) => string.CompareOrdinal(a.ToString(), b.ToString()));
            copy[name] = sorted;
        }

        ByName = copy;
    }

    /// <summary>Interface name to its addresses (sorted, no duplicates).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<IPAddress>> ByName { get; }

    /// <summary>Same interfaces with the same addresses.</summary>
    public bool SameAs(HostInterfaces? other)
    {
        if (other is null || other.ByName.Count != ByName.Count)
        {
            return false;
        }

        foreach (var (name, addresses) in ByName)
        {
            if (!other.ByName.TryGetValue(name, out var theirs) || !addresses.SequenceEqual(theirs))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>"eth0=198.18.0.1,fe80::1 lo=127.0.0.1" for the log.</summary>
    public override string ToString() =>
        string.Join(' ', ByName.Select(kv => kv.Key + "=" + string.Join(',', kv.Value)));
}
