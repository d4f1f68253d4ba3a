using System.Security.Cryptography;
using System.Text;

namespace Calico.Bird.Rendering;

/// <summary>
/// One BIRD function rendered from one BGPFilter's rules for one family and direction, named as upstream names it
/// (<c>'bgp_&lt;name&gt;_importFilterV4'</c>, the name truncated and hashed to fit BIRD's 64-character symbols).
/// </summary>
internal sealed record BgpFilterFunction(string FilterName, IpFamily Family, BgpFilterDirection Direction, IReadOnlyList<BgpFilterRule> Rules)
{
    private const int MaxBirdSymbolLength = 64;

    public string Symbol
    {
        get
        {
            var direction = Direction == BgpFilterDirection.Import ? "import" : "export";
            var version = Family == IpFamily.V4 ? "4" : "6";
            var name = TruncateAndHash(FilterName, MaxBirdSymbolLength - $"bgp__{direction}FilterV{version}".Length);
            return $"'bgp_{name}_{direction}FilterV{version}'";
        }
    }

    /// <summary>Some rule is for iBGP or eBGP peers only: the function takes <c>bool is_same_as</c>.</summary>
    public bool TakesPeerType => Rules.Any(r => r.HasPeerType);

    /// <summary>Some rule matches on <c>priority</c>, which reads <c>bgp_local_pref</c>.</summary>
    public bool MatchesPriority => Rules.Any(r => r.Priority is not null);

    /// <summary>The statement a peering's filter uses to run this function.</summary>
    public string Call(bool sameAs) => TakesPeerType ? $"{Symbol}({(sameAs ? "true" : "false")});" : $"{Symbol}();";

    /// <summary>
    /// Upstream's <c>TruncateAndHashName</c>: a name longer than <paramref name="maxLength"/> keeps its first
    /// characters and ends with <c>_</c> and the first 16 hex digits (upper case) of its SHA-256.
    /// </summary>
    internal static string TruncateAndHash(string name, int maxLength)
    {
        if (name.Length <= maxLength)
        {
            return name;
        }

        const int hashChars = 16;
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(name)));
        return $"{name[..(maxLength - hashChars - 1)]}_{hash[..hashChars]}";
    }
}
