using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Calico.Api.Serialization;

/// <summary>numorstring.ASNumber: a JSON number, or a string in plain ("64512") or dotted ("1.10") notation.</summary>
public sealed class AsNumberConverter : JsonConverter<uint?>
{
    public override bool HandleNull => false;

    public override uint? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetUInt32(out var n))
            return n;
        if (reader.TokenType == JsonTokenType.String)
        {
            var s = reader.GetString()!;
            return TryParse(s, out var v) ? v : throw new JsonException($"invalid AS Number format ({s})");
        }
        throw new JsonException("cannot unmarshal " + reader.TokenType.ToString().ToLowerInvariant() + " into an AS number");
    }

    public override void Write(Utf8JsonWriter writer, uint? value, JsonSerializerOptions options)
    {
        if (value is { } v)
            writer.WriteNumberValue(v);
        else
            writer.WriteNullValue();
    }

    public static bool TryParse(string text, out uint value)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
            return true;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0
            && ushort.TryParse(text.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var hi)
            && ushort.TryParse(text.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var lo))
        {
            value = ((uint)hi << 16) + lo;
            return true;
        }
        value = 0;
        return false;
    }
}
