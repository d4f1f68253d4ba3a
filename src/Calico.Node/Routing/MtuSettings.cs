using System.Text.RegularExpressions;

namespace Calico.Node.Routing;

/// <summary>
/// The FelixConfiguration fields MTU detection reads: <c>mtuIfacePattern</c> (which host interfaces count),
/// <c>vxlanMTU</c>, <c>vxlanMTUV6</c> and <c>ipipMTU</c> (0: the host MTU minus the encapsulation's overhead),
/// <c>requireMTUFile</c> (a failed write of the mtu file is an error, not a logged warning), and the workload
/// interface prefixes (<c>interfacePrefix</c>) whose MTUs are reported when the workload MTU changes.
/// </summary>
internal sealed record MtuSettings(Regex? IfacePattern, int VxlanMtu, int VxlanMtuV6, int IpipMtu, bool RequireMtuFile, IReadOnlyList<string> WorkloadPrefixes)
{
    /// <summary>Upstream's default <c>mtuIfacePattern</c>.</summary>
    public const string DefaultIfacePattern = "^((en|wl|ww|sl|ib)[Pcopsvx].*|(eth|wlan|wwan).*)";

    public static MtuSettings Default { get; } = new(new Regex(DefaultIfacePattern, RegexOptions.CultureInvariant), 0, 0, 0, false, ["cali"]);
}
