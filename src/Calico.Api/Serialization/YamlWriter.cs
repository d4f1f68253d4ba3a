using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Calico.Api.Serialization;

/// <summary>
/// JSON nodes to YAML the way calicoctl prints (sigs.k8s.io/yaml over go-yaml v2): keys sorted at every
/// level, sequences at their parent's indentation, strings quoted only where a plain scalar would read as
/// another type.
/// </summary>
internal static class YamlWriter
{
    public static string Write(JsonNode? node)
    {
        using var writer = new StringWriter { NewLine = "\n" };
        var emitter = new Emitter(writer, 2, int.MaxValue, false);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, true));
        Emit(emitter, node);
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        return writer.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    private static void Emit(IEmitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case null:
                Plain(emitter, "null");
                break;
            case JsonObject obj:
                if (obj.Count == 0)
                {
                    emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Flow));
                    emitter.Emit(new MappingEnd());
                    break;
                }
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block));
                var keys = obj.Select(p => p.Key).ToList();
                keys.Sort(GoYamlKeyComparer.Instance);
                foreach (var key in keys)
                {
                    Text(emitter, key);
                    Emit(emitter, obj[key]);
                }
                emitter.Emit(new MappingEnd());
                break;
            case JsonArray array:
                var style = array.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block;
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, style));
                foreach (var item in array)
                    Emit(emitter, item);
                emitter.Emit(new SequenceEnd());
                break;
            case JsonValue value:
                switch (value.GetValueKind())
                {
                    case JsonValueKind.String:
                        Text(emitter, value.GetValue<string>());
                        break;
                    case JsonValueKind.True:
                        Plain(emitter, "true");
                        break;
                    case JsonValueKind.False:
                        Plain(emitter, "false");
                        break;
                    case JsonValueKind.Null:
                        Plain(emitter, "null");
                        break;
                    default:
                        Plain(emitter, value.ToJsonString());
                        break;
                }
                break;
        }
    }

    private static void Plain(IEmitter emitter, string text) =>
        emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, text, ScalarStyle.Plain, true, true));

    private static void Text(IEmitter emitter, string text)
    {
        ScalarStyle style;
        if (text.Contains('\n', StringComparison.Ordinal))
            style = ScalarStyle.Literal;
        else if (YamlScalars.NeedsQuotes(text))
            style = ScalarStyle.DoubleQuoted;
        else
            style = ScalarStyle.Plain; // the emitter falls back to single quotes where plain is not allowed
        emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, text, style, true, true));
    }
}
