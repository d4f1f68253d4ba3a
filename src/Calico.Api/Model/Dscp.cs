using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Calico.Api;

/// <summary>numorstring.DSCP: a number 0-63 or a well-known name (AF11, CS1, EF, ...).</summary>
[JsonConverter(typeof(DscpJsonConverter))]
public sealed record Dscp(byte? Number, string? Name)
{
    public override string ToString() => Number is { } n ? n.ToString(CultureInfo.InvariantCulture) : Name ?? "";
}

internal sealed class DscpJsonConverter : JsonConverter<Dscp>
{
    public override Dscp Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            var s = reader.GetString()!;
            return byte.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? new Dscp(v, null) : new Dscp(null, s);
        }
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetByte(out var n))
            return new Dscp(n, null);
        throw new JsonException("cannot unmarshal " + reader.TokenType.ToString().ToLowerInvariant() + " into a DSCP value");
    }

    public override void Write(Utf8JsonWriter writer, Dscp value, JsonSerializerOptions options)
    {
        if (value.Number is { } n)
            writer.WriteNumberValue(n);
        else
            writer.WriteStringValue(value.Name);
    }
}
