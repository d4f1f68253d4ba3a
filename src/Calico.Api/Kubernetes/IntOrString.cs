using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Calico.Api;

/// <summary>k8s intstr.IntOrString: a JSON number or a JSON string.</summary>
[JsonConverter(typeof(IntOrStringJsonConverter))]
public sealed record IntOrString(int? IntValue, string? StringValue)
{
    public static IntOrString FromInt(int value) => new(value, null);

    public static IntOrString FromString(string value) => new(null, value);

    public override string ToString() => IntValue is { } i ? i.ToString(CultureInfo.InvariantCulture) : StringValue ?? "";
}

internal sealed class IntOrStringJsonConverter : JsonConverter<IntOrString>
{
    public override IntOrString Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.String => IntOrString.FromString(reader.GetString()!),
            JsonTokenType.Number when reader.TryGetInt32(out var i) => IntOrString.FromInt(i),
            _ => throw new JsonException("cannot unmarshal " + reader.TokenType.ToString().ToLowerInvariant() + " into an int or string"),
        };

    public override void Write(Utf8JsonWriter writer, IntOrString value, JsonSerializerOptions options)
    {
        if (value.IntValue is { } i)
            writer.WriteNumberValue(i);
        else
            writer.WriteStringValue(value.StringValue);
    }
}
