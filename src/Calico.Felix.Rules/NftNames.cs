using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules;

/// <summary>
/// Names of everything in <c>table inet calico</c>. Chain names stay within upstream's 28-character limit
/// (iptables') so the two backends could share them; nft itself allows 255.
/// </summary>
internal static class NftNames
{
    public const string TableName = "calico";
    public const string FromWorkloadDispatch = "cali-from-wl-dispatch";
    public const string ToWorkloadDispatch = "cali-to-wl-dispatch";
    public const string WorkloadToHost = "cali-wl-to-host";
    public const string FromHostEndpointDispatch = "cali-from-hep-dispatch";
    public const string ToHostEndpointDispatch = "cali-to-hep-dispatch";
    public const string FailsafeIn = "cali-failsafe-in";
    public const string FailsafeOut = "cali-failsafe-out";
    public const string NatPostrouting = "nat-POSTROUTING";
    public const string RawPrerouting = "raw-PREROUTING";

    /// <summary>Base chain, hook output priority raw: clears Calico's marks, untracked (doNotTrack) host endpoint egress.</summary>
    public const string RawOutput = "raw-OUTPUT";

    /// <summary>Base chain, hook prerouting priority mangle (before DNAT): preDNAT host endpoint policy.</summary>
    public const string ManglePrerouting = "mangle-PREROUTING";

    /// <summary>Chain and map: forwarded traffic arriving through a host endpoint (applyOnForward ingress).</summary>
    public const string FromHostEndpointForwardDispatch = "cali-from-hep-fwd-dispatch";

    /// <summary>Chain and map: forwarded traffic leaving through a host endpoint (applyOnForward egress).</summary>
    public const string ToHostEndpointForwardDispatch = "cali-to-hep-fwd-dispatch";

    /// <summary>Map (entries jump): untracked ingress, from raw-PREROUTING.</summary>
    public const string FromHostEndpointNoTrackDispatch = "cali-from-hep-notrack";

    /// <summary>Map (entries jump): untracked egress, from raw-OUTPUT.</summary>
    public const string ToHostEndpointNoTrackDispatch = "cali-to-hep-notrack";

    /// <summary>Map: preDNAT ingress, from mangle-PREROUTING.</summary>
    public const string FromHostEndpointPreDnatDispatch = "cali-from-hep-prednat";

    /// <summary>Failsafe chains of the raw hooks: also replies by source port (untracked policy cannot see the flow).</summary>
    public const string FailsafeInRaw = "cali-failsafe-in-raw";

    public const string FailsafeOutRaw = "cali-failsafe-out-raw";

    /// <summary>
    /// The interface token of the all-interfaces host endpoint (<c>interfaceName: "*"</c>) in <c>cali-fh-</c>/<c>cali-th-</c>
    /// chains, upstream's <c>any-interface-at-all</c>; longer than any interface name (15), so no named HEP can collide.
    /// </summary>
    public const string AllInterfaces = "any-interface-at-all";

    /// <summary>The same for the longer prefixes (<c>cali-fhfw-</c>, ...), within 28 characters and still longer than 15.</summary>
    public const string AllInterfacesShort = "any-iface-at-all";
    public const int MaxChainName = 28;

    /// <summary>Policy chain: <c>cali-pi-</c>/<c>cali-po-</c> + 20 characters of base64url(SHA-256(policy key)).</summary>
    public static string PolicyChain(PolicyKey key, bool inbound) =>
        Hashed(inbound ? "cali-pi-" : "cali-po-", PolicyIdentity(key));

    /// <summary>Profile chain: <c>cali-pri-</c>/<c>cali-pro-</c> + 19 characters of base64url(SHA-256(profile id)).</summary>
    public static string ProfileChain(string profileId, bool inbound) =>
        Hashed(inbound ? "cali-pri-" : "cali-pro-", "profile/" + profileId);

    /// <summary>Merged-rule set: <c>calim4-</c>/<c>calim6-</c> + 21 characters of base64url(SHA-256(definition)).</summary>
    public static string MergedSet(int family, string definition) => Hashed(family == 6 ? "calim6-" : "calim4-", definition);

    public static string PolicyIdentity(PolicyKey key) => $"{key.Kind}/{key.Tier}/{key.Namespace}/{key.Name}";

    public static string FromWorkloadChain(string iface) => "cali-fw-" + iface;

    public static string ToWorkloadChain(string iface) => "cali-tw-" + iface;

    /// <summary>From host endpoint: traffic arriving through the interface into the host (the HEP's ingress policy).</summary>
    public static string FromHostEndpointChain(string iface) => "cali-fh-" + HostToken(iface);

    /// <summary>To host endpoint: traffic from the host leaving through the interface (the HEP's egress policy).</summary>
    public static string ToHostEndpointChain(string iface) => "cali-th-" + HostToken(iface);

    /// <summary>Forward from host endpoint: forwarded traffic arriving through the interface (applyOnForward ingress).</summary>
    public static string FromHostEndpointForwardChain(string iface) => "cali-fhfw-" + Short(iface);

    /// <summary>Forward to host endpoint: forwarded traffic leaving through the interface (applyOnForward egress).</summary>
    public static string ToHostEndpointForwardChain(string iface) => "cali-thfw-" + Short(iface);

    /// <summary>preDNAT ingress through the interface (mangle-PREROUTING).</summary>
    public static string FromHostEndpointPreDnatChain(string iface) => "cali-fhpd-" + Short(iface);

    /// <summary>Untracked (doNotTrack) ingress through the interface (raw-PREROUTING).</summary>
    public static string FromHostEndpointNoTrackChain(string iface) => "cali-fhnt-" + Short(iface);

    /// <summary>Untracked (doNotTrack) egress through the interface (raw-OUTPUT).</summary>
    public static string ToHostEndpointNoTrackChain(string iface) => "cali-thnt-" + Short(iface);

    /// <summary>The chain token of a host endpoint interface: its name, or <see cref="AllInterfaces"/> for <c>*</c>.</summary>
    public static string HostToken(string iface) => iface == "*" ? AllInterfaces : iface;

    private static string Short(string iface) => iface == "*" ? AllInterfacesShort : iface;

    /// <summary>Fixed NAT-outgoing sets, upstream's names: <c>cali40all-ipam-pools</c>, <c>cali60masq-ipam-pools</c>.</summary>
    public static string PoolSet(string kind, int family) => (family == 6 ? "cali60" : "cali40") + kind + "-ipam-pools";

    /// <summary>
    /// nft set name for one family of an IP set: <c>cali40</c>/<c>cali60</c> + the id with every character outside
    /// [A-Za-z0-9_-] replaced by '_' (the graph's ids are "s:&lt;base64url&gt;" / "n:&lt;base64url&gt;", so the only replaced
    /// character is the colon after the one-letter kind, which keeps the mapping injective).
    /// </summary>
    public static string IpSet(string id, int family)
    {
        var sb = new StringBuilder(6 + id.Length);
        sb.Append(family == 6 ? "cali60" : "cali40");
        foreach (char c in id)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_' ? c : '_');
        }

        return sb.ToString();
    }

    /// <summary>Characters nft accepts unquoted in identifiers and that we accept in interface names.</summary>
    public static bool IsSafeName(string s)
    {
        foreach (char c in s)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_' || c == '.'))
            {
                return false;
            }
        }

        return s.Length > 0;
    }

    /// <summary>A character that may continue an nft set or chain name as we write them.</summary>
    public static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';

    public static string Hex(uint value) => "0x" + value.ToString("x8", CultureInfo.InvariantCulture);

    /// <summary>Text safe inside an nft comment string or a <c>#</c> line: no quotes, backslashes or control characters.</summary>
    public static string CommentText(string s, int max = 120)
    {
        var sb = new StringBuilder(Math.Min(s.Length, max));
        foreach (char c in s)
        {
            if (sb.Length == max)
            {
                break;
            }

            sb.Append(c == '"' || c == '\\' || char.IsControl(c) ? '_' : c);
        }

        return sb.ToString();
    }

    private static string Hashed(string prefix, string identity)
    {
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(identity));
        string b64 = Convert.ToBase64String(hash).Replace('+', '-').Replace('/', '_');
        return prefix + b64[..(MaxChainName - prefix.Length)];
    }
}
