using System.Net;

namespace Calico.Cni;

/// <summary>Orders addresses by family then bytes (for comparing address sets).</summary>
internal sealed class AddressComparer : IComparer<IPAddress>
{
    public static AddressComparer Instance { get; } = new();

    public int Compare(IPAddress? x, IPAddress? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }

        var family = x.AddressFamily.CompareTo(y.AddressFamily);
        return family != 0 ? family : x.GetAddressBytes().AsSpan().SequenceCompareTo(y.GetAddressBytes());
    }
}
