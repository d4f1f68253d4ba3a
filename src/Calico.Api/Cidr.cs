using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Calico.Api;

/// <summary>CIDR parsing as Go's net.ParseCIDR does it: host bits allowed in the text, the result is masked.</summary>
public static class Cidr
{
    /// <summary>Parses "addr/len" (v4 dotted quad or v6); <paramref name="net"/> is the masked network.</summary>
    public static bool TryParse(string text, out IPNetwork net) => TryParse(text, out net, out _);

    /// <summary>As <see cref="TryParse(string, out IPNetwork)"/>, also giving the address as written (to detect host bits).</summary>
    public static bool TryParse(string text, out IPNetwork net, out IPAddress address)
    {
        net = default;
        address = IPAddress.None;
        if (string.IsNullOrEmpty(text))
            return false;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == text.Length - 1)
            return false;
        var addrText = text[..slash];
        if (!TryParseAddress(addrText, out var ip))
            return false;
        var prefixText = text.AsSpan(slash + 1);
        if (prefixText.IndexOfAnyExceptInRange('0', '9') >= 0 || prefixText.Length > 3
            || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
            return false;
        var max = ip.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (prefix > max)
            return false;
        address = ip;
        net = new IPNetwork(Mask(ip, prefix), prefix);
        return true;
    }

    /// <summary>An IP address in Go's strict syntax: dotted quad without leading zeros, or IPv6 without zone.</summary>
    public static bool TryParseAddress(string text, out IPAddress address)
    {
        address = IPAddress.None;
        // .NET also takes "[v6]:port" and zones; Go's ParseIP takes neither.
        if (string.IsNullOrEmpty(text) || text.AsSpan().IndexOfAny("%[]/ ") >= 0)
            return false;
        if (text.Contains(':', StringComparison.Ordinal))
        {
            if (!IPAddress.TryParse(text, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
                return false;
            // Go treats an IPv4-mapped address as IPv4.
            address = v6.IsIPv4MappedToIPv6 ? v6.MapToIPv4() : v6;
            return true;
        }
        var parts = text.Split('.');
        if (parts.Length != 4)
            return false;
        foreach (var p in parts)
        {
            if (p.Length is 0 or > 3 || p.AsSpan().IndexOfAnyExceptInRange('0', '9') >= 0 || (p.Length > 1 && p[0] == '0')
                || int.Parse(p, CultureInfo.InvariantCulture) > 255)
                return false;
        }
        address = IPAddress.Parse(text);
        return true;
    }

    public static bool Overlaps(IPNetwork a, IPNetwork b) =>
        a.BaseAddress.AddressFamily == b.BaseAddress.AddressFamily
        && (a.Contains(b.BaseAddress) || b.Contains(a.BaseAddress));

    /// <summary>Go's cidr.String(): masked address and prefix length.</summary>
    public static string Format(IPNetwork net) =>
        string.Create(CultureInfo.InvariantCulture, $"{net.BaseAddress}/{net.PrefixLength}");

    internal static int Family(IPNetwork net) => net.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 4 : 6;

    private static IPAddress Mask(IPAddress ip, int prefix)
    {
        var bytes = ip.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var bits = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bits));
        }
        return new IPAddress(bytes);
    }
}
