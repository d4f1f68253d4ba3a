using System.Globalization;

namespace Calico.Linux.Netlink;

/// <summary>Ethernet addresses as text: six colon-separated hex bytes, written lower-case (as <c>ip</c> shows them).</summary>
public static class MacAddress
{
    /// <summary>Parses <c>aa:bb:cc:dd:ee:ff</c> (either case) into six bytes.</summary>
    public static bool TryParse(string? text, Span<byte> destination)
    {
        if (text is null || text.Length != 17 || destination.Length < 6)
        {
            return false;
        }

        for (int i = 0; i < 6; i++)
        {
            if (i > 0 && text[(i * 3) - 1] != ':')
            {
                return false;
            }

            if (!byte.TryParse(text.AsSpan(i * 3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out destination[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The six bytes of <paramref name="text"/>; <see cref="ArgumentException"/> naming the text when it is not a MAC.</summary>
    public static byte[] Parse(string text)
    {
        byte[] bytes = new byte[6];
        return TryParse(text, bytes) ? bytes : throw new ArgumentException($"'{text}' is not a MAC address (six colon-separated hex bytes)", nameof(text));
    }

    /// <summary>The lower-case form, the one the kernel's answers are formatted in (so the two compare equal).</summary>
    public static string Normalize(string text) => RtnlCodec.FormatMac(Parse(text));

    /// <summary>True for a unicast address (the group bit of the first byte clear), which a device address must be.</summary>
    public static bool IsUnicast(ReadOnlySpan<byte> mac) => mac.Length == 6 && (mac[0] & 1) == 0;
}
