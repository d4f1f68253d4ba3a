using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Calico.Api.Serialization;

/// <summary>
/// A Go <c>float64</c> field (policy and tier <c>order</c>): a finite JSON number. Go's decoder refuses a number
/// that overflows float64 (<c>1e400</c>) and JSON has no NaN or infinity, so neither can be stored; here the error
/// says so instead of the value reaching a JSON writer that cannot print it.
/// </summary>
internal sealed class FiniteDoubleConverter : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                if (reader.TryGetDouble(out var value) && double.IsFinite(value))
                    return value;
                throw OutOfRange(Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan));
            case JsonTokenType.String:
                // go-yaml leaves a float it cannot represent (1e400) as a string; say why it is not a number.
                var text = reader.GetString()!;
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && !double.IsFinite(parsed))
                    throw OutOfRange(text);
                throw new JsonException($"cannot unmarshal string \"{text}\" into a number");
            default:
                throw new JsonException("cannot unmarshal " + LenientStringConverter.TokenName(reader.TokenType) + " into a number");
        }
    }

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options) => writer.WriteNumberValue(value);

    private static JsonException OutOfRange(string text) =>
        new($"number {text} is out of range: it must be a finite 64-bit float (at most about 1.8e308)");
}
