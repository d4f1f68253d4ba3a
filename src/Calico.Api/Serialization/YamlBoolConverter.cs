using System.Text.Json;
using System.Text.Json.Serialization;

namespace Calico.Api.Serialization;

/// <summary>
/// Booleans accept YAML 1.1's words (yes/no/on/off/y/n), which the YAML reader leaves as strings so that
/// string fields keep them verbatim; anything else is an error saying what the field takes.
/// </summary>
internal sealed class YamlBoolConverter : JsonConverter<bool>
{
    public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            JsonTokenType.String when YamlScalars.TryParseBoolWord(reader.GetString()!, out var b) => b,
            _ => throw new JsonException("expected true or false, got " + (reader.TokenType == JsonTokenType.String ? "'" + reader.GetString() + "'" : LenientStringConverter.TokenName(reader.TokenType))),
        };

    public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) => writer.WriteBooleanValue(value);
}

/// <summary>The same for optional booleans (source generation binds <c>bool?</c> separately).</summary>
internal sealed class YamlNullableBoolConverter : JsonConverter<bool?>
{
    public override bool HandleNull => true;

    public override bool? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : new YamlBoolConverter().Read(ref reader, typeof(bool), options);

    public override void Write(Utf8JsonWriter writer, bool? value, JsonSerializerOptions options)
    {
        if (value is { } b)
        {
            writer.WriteBooleanValue(b);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
