using System.Text;
using System.Text.Json;

namespace Calico.Ctl.Migration;

/// <summary>
/// Re-indents and compacts JSON token by token, copying every string, number and literal exactly as written, so
/// <c>Compact(Indent(v)) == v</c> for any compact value (the IPAM values are stored compact, as Go writes them).
/// Indentation is Go's <c>json.MarshalIndent(v, prefix, "  ")</c>: empty objects and arrays stay <c>{}</c> and <c>[]</c>.
/// </summary>
internal static class GoJsonIndent
{
    /// <summary>Indented text of <paramref name="json"/>; continuation lines start with <paramref name="prefix"/>.</summary>
    public static string Indent(ReadOnlySpan<byte> json, string prefix)
    {
        var sb = new StringBuilder(json.Length * 2);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        int depth = 0;
        bool first = true; // the next token is the first inside its container
        bool afterName = false;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    depth--;
                    if (!first)
                    {
                        NewLine(sb, prefix, depth);
                    }

                    sb.Append(reader.TokenType == JsonTokenType.EndObject ? '}' : ']');
                    first = false;
                    continue;
                default:
                    break;
            }

            if (!afterName)
            {
                if (!first)
                {
                    sb.Append(',');
                }

                if (depth > 0)
                {
                    NewLine(sb, prefix, depth);
                }
            }

            afterName = false;
            first = false;
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    sb.Append('{');
                    depth++;
                    first = true;
                    break;
                case JsonTokenType.StartArray:
                    sb.Append('[');
                    depth++;
                    first = true;
                    break;
                case JsonTokenType.PropertyName:
                    sb.Append('"').Append(Encoding.UTF8.GetString(reader.ValueSpan)).Append("\": ");
                    afterName = true;
                    break;
                case JsonTokenType.String:
                    sb.Append('"').Append(Encoding.UTF8.GetString(reader.ValueSpan)).Append('"');
                    break;
                default:
                    sb.Append(Encoding.UTF8.GetString(reader.ValueSpan));
                    break;
            }
        }

        return sb.ToString();
    }

    /// <summary>The same value without insignificant whitespace; tokens copied byte for byte.</summary>
    public static byte[] Compact(ReadOnlySpan<byte> json)
    {
        using var stream = new MemoryStream(json.Length);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        bool needComma = false;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.EndObject:
                    stream.WriteByte((byte)'}');
                    needComma = true;
                    continue;
                case JsonTokenType.EndArray:
                    stream.WriteByte((byte)']');
                    needComma = true;
                    continue;
                default:
                    break;
            }

            if (needComma)
            {
                stream.WriteByte((byte)',');
            }

            needComma = true;
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    stream.WriteByte((byte)'{');
                    needComma = false;
                    break;
                case JsonTokenType.StartArray:
                    stream.WriteByte((byte)'[');
                    needComma = false;
                    break;
                case JsonTokenType.PropertyName:
                    stream.WriteByte((byte)'"');
                    stream.Write(reader.ValueSpan);
                    stream.Write("\":"u8);
                    needComma = false;
                    break;
                case JsonTokenType.String:
                    stream.WriteByte((byte)'"');
                    stream.Write(reader.ValueSpan);
                    stream.WriteByte((byte)'"');
                    break;
                default:
                    stream.Write(reader.ValueSpan);
                    break;
            }
        }

        return stream.ToArray();
    }

    private static void NewLine(StringBuilder sb, string prefix, int depth)
    {
        sb.Append('\n').Append(prefix);
        for (int i = 0; i < depth; i++)
        {
            sb.Append("  ");
        }
    }
}
