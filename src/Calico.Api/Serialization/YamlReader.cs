using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Calico.Api.Serialization;

/// <summary>
/// YAML (or JSON, a YAML subset) to JSON nodes at the parser-event level, resolving plain scalars
/// the way go-yaml v2 does (YAML 1.1 booleans such as yes/no/on/off, ints with base prefixes, floats).
/// </summary>
internal static class YamlReader
{
    public static List<JsonNode?> ReadDocuments(string text)
    {
        var docs = new List<JsonNode?>();
        Parser? parser = null;
        try
        {
            parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            while (parser.TryConsume<DocumentStart>(out _))
            {
                var anchors = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
                docs.Add(ReadNode(parser, anchors, 1));
                parser.Consume<DocumentEnd>();
            }
            parser.Consume<StreamEnd>();
        }
        catch (YamlException e)
        {
            throw new ResourceDecodeException(
                string.Create(CultureInfo.InvariantCulture,
                    $"error converting YAML to JSON: yaml: line {e.Start.Line}, column {e.Start.Column}: {Innermost(e).Message}"), e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet reports some structural surprises (an event where another was expected) this way.
            var at = parser?.Current?.Start;
            throw new ResourceDecodeException(
                string.Create(CultureInfo.InvariantCulture,
                    $"error converting YAML to JSON: yaml: line {at?.Line ?? 0}, column {at?.Column ?? 0}: {e.Message}"), e);
        }
        return docs;
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is YamlException inner)
            e = inner;
        return e;
    }

    // Depth counts collections (the document's top-level mapping is 1). Recursion here, and in every
    // JsonNode walk after it, is bounded by ResourceCodec.MaxDocumentDepth: a document nested 100,000 deep
    // is an error, not a stack overflow that kills calicoctl or calico-node.
    private static JsonNode? ReadNode(IParser parser, Dictionary<string, JsonNode?> anchors, int depth)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            return anchors.TryGetValue(alias.Value.Value, out var target)
                ? target?.DeepClone()
                : throw new YamlException(alias.Start, alias.End, $"unknown anchor '{alias.Value.Value}' referenced");
        }
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            var value = ResolveScalar(scalar);
            Remember(anchors, scalar.Anchor, value);
            return value;
        }
        if (depth > ResourceCodec.MaxDocumentDepth && parser.Current is NodeEvent { } tooDeep)
            throw new YamlException(tooDeep.Start, tooDeep.End, $"document nested deeper than {ResourceCodec.MaxDocumentDepth} levels");
        if (parser.TryConsume<SequenceStart>(out var seqStart))
        {
            var array = new JsonArray();
            while (!parser.TryConsume<SequenceEnd>(out _))
                array.Add(ReadNode(parser, anchors, depth + 1));
            Remember(anchors, seqStart.Anchor, array);
            return array;
        }
        var mapStart = parser.Consume<MappingStart>();
        var obj = new JsonObject();
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var keyMark = parser.Current!.Start;
            var key = ReadNode(parser, anchors, depth + 1);
            var keyText = key switch
            {
                null => "null",
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                _ => key.ToJsonString(),
            };
            var value = ReadNode(parser, anchors, depth + 1);
            if (keyText == "<<" && value is JsonObject merge)
            {
                foreach (var (k, v) in merge)
                {
                    if (!obj.ContainsKey(k))
                        obj[k] = v?.DeepClone();
                }
                continue;
            }
            if (obj.ContainsKey(keyText))
                throw new YamlException(keyMark, keyMark, $"key \"{keyText}\" already set in map");
            obj[keyText] = value;
        }
        Remember(anchors, mapStart.Anchor, obj);
        return obj;
    }

    private static void Remember(Dictionary<string, JsonNode?> anchors, AnchorName anchor, JsonNode? node)
    {
        if (!anchor.IsEmpty)
            anchors[anchor.Value] = node;
    }

    private static JsonNode? ResolveScalar(Scalar scalar)
    {
        var text = scalar.Value;
        var tag = scalar.Tag.IsEmpty ? "" : scalar.Tag.Value;
        if (tag == "tag:yaml.org,2002:str" || (scalar.Style != ScalarStyle.Plain && tag.Length == 0) || tag == "!")
            return JsonValue.Create(text);
        return YamlScalars.TryResolvePlain(text, out var resolved) ? resolved : JsonValue.Create(text);
    }
}
