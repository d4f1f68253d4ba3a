using System.Text.Json;
using System.Text.Json.Serialization;

namespace Calico.Ipam.Storage;

/// <summary>
/// Writes a map with its keys in byte order, as Go's encoding/json does, so stored values are byte-identical to
/// upstream's; reads any order. Null stays null (a nil Go map).
/// </summary>
internal abstract class GoSortedMapConverter<T> : JsonConverter<Dictionary<string, T>>
{
    public override Dictionary<string, T>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("expected a JSON object");
        }

        var map = new Dictionary<string, T>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            string key = reader.GetString()!;
            reader.Read();
            map[key] = ReadValue(ref reader);
        }

        return map;
    }

    public override void Write(Utf8JsonWriter writer, Dictionary<string, T> value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        var keys = new string[value.Count];
        value.Keys.CopyTo(keys, 0);
        Array.Sort(keys, StringComparer.Ordinal);
        writer.WriteStartObject();
        foreach (string key in keys)
        {
            writer.WritePropertyName(key);
            WriteValue(writer, value[key]);
        }

        writer.WriteEndObject();
    }

    protected abstract T ReadValue(ref Utf8JsonReader reader);

    protected abstract void WriteValue(Utf8JsonWriter writer, T value);
}

internal sealed class GoSortedStringMapConverter : GoSortedMapConverter<string>
{
    protected override string ReadValue(ref Utf8JsonReader reader) => reader.GetString() ?? "";

    protected override void WriteValue(Utf8JsonWriter writer, string value) => writer.WriteStringValue(value);
}

internal sealed class GoSortedUInt64MapConverter : GoSortedMapConverter<ulong>
{
    protected override ulong ReadValue(ref Utf8JsonReader reader) => reader.GetUInt64();

    protected override void WriteValue(Utf8JsonWriter writer, ulong value) => writer.WriteNumberValue(value);
}

internal sealed class GoSortedInt32MapConverter : GoSortedMapConverter<int>
{
    protected override int ReadValue(ref Utf8JsonReader reader) => reader.GetInt32();

    protected override void WriteValue(Utf8JsonWriter writer, int value) => writer.WriteNumberValue(value);
}
