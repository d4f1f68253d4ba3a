using System.Text.Json;
using System.Text.Json.Serialization;

namespace Calico.Api.Serialization;

/// <summary>
/// A <c>metav1.Duration</c> field: a JSON string that Go's <c>time.ParseDuration</c> accepts, kept as the text
/// given. Upstream's decoder refuses anything else (a bad string, a number, an overflow), so a document or a
/// stored value with one does not decode: the error names the field (the codec adds the path).
/// </summary>
internal sealed class GoDurationConverter : JsonConverter<string>
{
    public static GoDurationConverter Instance { get; } = new();

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            // metav1.Duration unmarshals a JSON string only ("90s"); a bare 90 is an error upstream too.
            throw new JsonException("cannot unmarshal " + LenientStringConverter.TokenName(reader.TokenType)
                + " into a duration: give a string with a unit, such as \"90s\"");
        }

        var text = reader.GetString()!;
        return GoDuration.TryParse(text, out _, out var error) ? text : throw new JsonException(error);
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
