using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Calico.Api;

/// <summary>numorstring.Port: a single port (JSON number), a "min:max" range or a named port (JSON strings).</summary>
[JsonConverter(typeof(PortJsonConverter))]
public sealed record Port(ushort MinPort, ushort MaxPort, string? PortName)
{
    public static Port Single(ushort port) => new(port, port, null);

    public static Port Range(ushort min, ushort max) => new(min, max, null);

    public static Port Named(string name) => new(0, 0, name);

    public bool IsNamed => !string.IsNullOrEmpty(PortName);

    /// <summary>Parses the string form; errors are upstream's texts.</summary>
    public static bool TryParse(string text, out Port port, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        port = Single(0);
        error = null;
        if (text.Length > 0 && text.All(char.IsAsciiDigit))
        {
            if (!ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                error = $"invalid port format ({text})";
                return false;
            }
            port = Single(n);
            return true;
        }
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && colon < text.Length - 1 && text.AsSpan(0, colon).IndexOfAnyExceptInRange('0', '9') < 0
            && text.AsSpan(colon + 1).IndexOfAnyExceptInRange('0', '9') < 0)
        {
            if (!ushort.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var min))
            {
                error = $"invalid minimum port number in range ({text})";
                return false;
            }
            if (!ushort.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var max))
            {
                error = $"invalid maximum port number in range ({text})";
                return false;
            }
            if (min > max)
            {
                error = $"minimum port number ({min}) is greater than maximum port number ({max}) in port range";
                return false;
            }
            port = Range(min, max);
            return true;
        }
        if (!IsValidName(text))
        {
            error = $"invalid name for named port ({text})";
            return false;
        }
        port = Named(text);
        return true;
    }

    public static Port Parse(string text) =>
        TryParse(text, out var p, out var error) ? p : throw new FormatException(error);

    internal static bool IsValidName(string name) =>
        name.Length is >= 1 and <= 128 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');

    public override string ToString() =>
        IsNamed ? PortName!
        : MinPort == MaxPort ? MinPort.ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{MinPort}:{MaxPort}");
}

internal sealed class PortJsonConverter : JsonConverter<Port>
{
    public override Port Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            var s = reader.GetString()!;
            return Port.TryParse(s, out var p, out var error) ? p : throw new JsonException(error);
        }
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetUInt16(out var n))
            return Port.Single(n);
        throw new JsonException("cannot unmarshal " + reader.TokenType.ToString().ToLowerInvariant() + " into a port");
    }

    public override void Write(Utf8JsonWriter writer, Port value, JsonSerializerOptions options)
    {
        if (!value.IsNamed && value.MinPort == value.MaxPort)
            writer.WriteNumberValue(value.MinPort);
        else
            writer.WriteStringValue(value.ToString());
    }
}
