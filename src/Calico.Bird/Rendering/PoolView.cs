using System.Net;
using Calico.Api;

namespace Calico.Bird.Rendering;

/// <summary>An IP pool or block CIDR parsed and normalised, with its family, ordered most specific first.</summary>
internal sealed record PoolView(string Cidr, IpFamily Family, int PrefixLength, IPPoolSpec? Spec)
{
    public static PoolView Parse(string text, IPPoolSpec? spec, string field)
    {
        if (!Api.Cidr.TryParse(text, out IPNetwork network))
        {
            throw new BirdInputException(field, text, "not a CIDR");
        }

        var family = network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? IpFamily.V4 : IpFamily.V6;
        return new PoolView(Api.Cidr.Format(network), family, network.PrefixLength, spec);
    }

    /// <summary>
    /// Most specific first, so a statement for a nested pool is reached before its container's (upstream sorts the
    /// statement text, which orders nested pools by accident).
    /// </summary>
    public static IReadOnlyList<PoolView> Ordered(IEnumerable<PoolView> views) =>
        views.OrderByDescending(v => v.PrefixLength).ThenBy(v => v.Cidr, StringComparer.Ordinal).ToList();
}
