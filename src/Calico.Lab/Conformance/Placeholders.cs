using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Calico.Lab.Conformance;

/// <summary>
/// <c>{{ip ns/name}}</c> -> the pod's IPv4 address; <c>{{cidr ns/name N}}</c> -> the /N network that contains it
/// (<c>10.0.0.0/8</c>). Anything else between braces, or an unknown pod, is an error.
/// </summary>
public static partial class Placeholders
{
    [GeneratedRegex(@"\{\{(.*?)\}\}", RegexOptions.Singleline)]
    private static partial Regex PlaceholderPattern();

    public static string Resolve(string text, IReadOnlyDictionary<PodRef, IPAddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(addresses);
        return PlaceholderPattern().Replace(text, m => Expand(m.Groups[1].Value, addresses));
    }

    private static string Expand(string inner, IReadOnlyDictionary<PodRef, IPAddress> addresses)
    {
        var words = inner.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 2 && words[0] == "ip")
        {
            return Address(words[1], addresses).ToString();
        }

        if (words.Length == 3 && words[0] == "cidr")
        {
            var address = Address(words[1], addresses);
            if (!int.TryParse(words[2], NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length > 32)
            {
                throw new CaseFormatException($"placeholder '{{{{{inner}}}}}': '{words[2]}' is not a prefix length 0-32");
            }

            var bytes = address.GetAddressBytes();
            var value = ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
            var mask = length == 0 ? 0u : uint.MaxValue << (32 - length);
            value &= mask;
            var network = new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
            return string.Create(CultureInfo.InvariantCulture, $"{network}/{length}");
        }

        throw new CaseFormatException($"placeholder '{{{{{inner}}}}}' is neither {{{{ip ns/name}}}} nor {{{{cidr ns/name N}}}}");
    }

    private static IPAddress Address(string podText, IReadOnlyDictionary<PodRef, IPAddress> addresses) =>
        PodRef.TryParse(podText, out var pod) && addresses.TryGetValue(pod.Value, out var address)
            ? address
            : throw new CaseFormatException($"placeholder names '{podText}', which is not a pod of the case");
}
