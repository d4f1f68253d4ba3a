using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Calico.Cni;

/// <summary>
/// <c>args.cni.floatingIPs</c> and <c>args.cni.allowedSourcePrefixes</c>: upstream's pod annotations
/// <c>cni.projectcalico.org/floatingIPs</c> and <c>cni.projectcalico.org/allowedSourcePrefixes</c>, passed in the
/// network config by a runtime without a Kubernetes API.
/// </summary>
internal static partial class NetConfParser
{
    private const string FloatingIpsPath = "args.cni.floatingIPs";
    private const string AllowedSourcePrefixesPath = "args.cni.allowedSourcePrefixes";

    /// <summary>Upstream refuses the annotation unless the feature is on ("requested feature is not enabled: floating_ips").</summary>
    private static void CheckFloatingIpsEnabled(CniArgsConf args, bool enabled)
    {
        if (args.FloatingIps.Count > 0 && !enabled)
        {
            throw new CniException(CniErrorCodes.InvalidConfig, $"{FloatingIpsPath} is set but the requested feature is not enabled: set feature_control.floating_ips to true");
        }
    }

    /// <summary>Bare IPv4 or IPv6 addresses (no prefix, no zone, no short forms such as "10.1").</summary>
    private static List<IPAddress> FloatingIpList(JsonElement cni)
    {
        var result = new List<IPAddress>();
        foreach (string text in StringList(cni, "floatingIPs", FloatingIpsPath))
        {
            if (!TryParseStrictAddress(text, out IPAddress? address))
            {
                throw new CniException(CniErrorCodes.InvalidConfig, $"invalid value in {FloatingIpsPath}: \"{text}\" is not an IP address");
            }

            if (!result.Contains(address))
            {
                result.Add(address);
            }
        }

        return result;
    }

    /// <summary>CIDRs, host bits cleared as upstream's ParseCIDR does.</summary>
    private static List<IPNetwork> AllowedSourcePrefixList(JsonElement cni)
    {
        var result = new List<IPNetwork>();
        foreach (string text in StringList(cni, "allowedSourcePrefixes", AllowedSourcePrefixesPath))
        {
            int slash = text.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0 || !TryParseStrictAddress(text[..slash], out IPAddress? address)
                || !int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int length)
                || length > (address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128))
            {
                throw new CniException(CniErrorCodes.InvalidConfig, $"invalid value in {AllowedSourcePrefixesPath}: \"{text}\" is not a CIDR");
            }

            var network = new IPNetwork(Mask(address, length), length);
            if (!result.Contains(network))
            {
                result.Add(network);
            }
        }

        return result;
    }

    private static List<string> StringList(JsonElement obj, string key, string path)
    {
        var result = new List<string>();
        if (!obj.TryGetProperty(key, out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return result;
        }

        ExpectKind(list, path, JsonValueKind.Array);
        foreach (var item in list.EnumerateArray())
        {
            ExpectKind(item, path + "[]", JsonValueKind.String);
            result.Add(item.GetString()!);
        }

        return result;
    }

    private static bool TryParseStrictAddress(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (text.Contains('%', StringComparison.Ordinal) || !IPAddress.TryParse(text, out IPAddress? parsed))
        {
            return false;
        }

        // IPAddress.TryParse takes "10.1" and "167772161" as IPv4; Go's ParseIP (upstream) wants four parts.
        if (parsed.AddressFamily == AddressFamily.InterNetwork && !string.Equals(parsed.ToString(), text, StringComparison.Ordinal))
        {
            return false;
        }

        address = parsed;
        return true;
    }

    private static IPAddress Mask(IPAddress address, int length)
    {
        byte[] bytes = address.GetAddressBytes();
        for (int bit = length; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IPAddress(bytes);
    }
}
