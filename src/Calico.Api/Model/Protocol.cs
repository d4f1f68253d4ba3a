using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Calico.Api;

/// <summary>numorstring.Protocol: a name (TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite) or a number 0-255.</summary>
[JsonConverter(typeof(ProtocolJsonConverter))]
public sealed record Protocol
{
    public const string Tcp = "TCP";
    public const string Udp = "UDP";
    public const string Icmp = "ICMP";
    public const string IcmpV6 = "ICMPv6";
    public const string Sctp = "SCTP";
    public const string UdpLite = "UDPLite";

    internal static readonly string[] Names = [Udp, Tcp, Icmp, IcmpV6, Sctp, UdpLite];

    private Protocol(byte? number, string? name)
    {
        Number = number;
        Name = name;
    }

    /// <summary>Set when the protocol was given as a number (or a string of digits).</summary>
    public byte? Number { get; }

    /// <summary>Set when the protocol was given as a name, spelled as written.</summary>
    public string? Name { get; }

    public static Protocol FromNumber(byte number) => new(number, null);

    /// <summary>Digits become a number (as upstream's Uint8OrString does); other text is kept verbatim.</summary>
    public static Protocol FromString(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return byte.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? new(n, null) : new(null, text);
    }

    /// <summary>A known name in canonical case (upstream's ProtocolFromString), else the text as given.</summary>
    public static Protocol Canonical(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var n in Names)
        {
            if (string.Equals(n, text, StringComparison.OrdinalIgnoreCase))
                return new(null, n);
        }
        return FromString(text);
    }

    public static Protocol TcpProtocol { get; } = new(null, Tcp);

    public static Protocol UdpProtocol { get; } = new(null, Udp);

    public static Protocol SctpProtocol { get; } = new(null, Sctp);

    /// <summary>Whether port matches are allowed: TCP, UDP, SCTP by name or number.</summary>
    public bool SupportsPorts => Number is { } n
        ? n is 6 or 17 or 132
        : Name is Tcp or Udp or Sctp or "tcp" or "udp" or "sctp";

    public bool IsIcmp => Name is Icmp || Number == 1;

    public bool IsIcmpV6 => Name is IcmpV6 || Number == 58;

    public override string ToString() => Number is { } n ? n.ToString(CultureInfo.InvariantCulture) : Name!;
}

internal sealed class ProtocolJsonConverter : JsonConverter<Protocol>
{
    public override Protocol Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
            return Protocol.FromString(reader.GetString()!);
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetByte(out var n))
            return Protocol.FromNumber(n);
        throw new JsonException("cannot unmarshal " + reader.TokenType.ToString().ToLowerInvariant() + " into a protocol");
    }

    public override void Write(Utf8JsonWriter writer, Protocol value, JsonSerializerOptions options)
    {
        if (value.Number is { } n)
            writer.WriteNumberValue(n);
        else
            writer.WriteStringValue(value.Name);
    }
}
