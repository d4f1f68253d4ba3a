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
                var state = new DocumentState();
                docs.Add(ReadNode(parser, state, 1, out _));
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

    /// <summary>
    /// Nodes that aliases may copy into one document, in all; go-yaml refuses such "billion laughs" documents
    /// with the same message.
    /// </summary>
    private const int MaxAliasedNodes = 1_000_000;

    // A complex key is printed as JSON; its depth is within the document's, which the default (64) is not.
    private static readonly System.Text.Json.JsonSerializerOptions s_keyOptions = new() { MaxDepth = ResourceCodec.MaxDocumentDepth };

    private sealed class DocumentState
    {
        public Dictionary<string, (JsonNode? Node, int Size, int Height)> Anchors { get; } = new(StringComparer.Ordinal);

        public int Nodes { get; set; }

        public int AliasedNodes { get; set; }
    }

    // Depth counts collections (the document's top-level mapping is 1); height is the depth of the subtree read.
    // Recursion here, and in every JsonNode walk after it, is bounded by ResourceCodec.MaxDocumentDepth: a
    // document nested 100,000 deep is an error, not a stack overflow that kills calicoctl or calico-node.
    // An alias counts as the subtree it copies, so chains of anchors cannot build depth or size either.
    private static JsonNode? ReadNode(IParser parser, DocumentState state, int depth, out int height)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (!state.Anchors.TryGetValue(alias.Value.Value, out var target))
                throw new YamlException(alias.Start, alias.End, $"unknown anchor '{alias.Value.Value}' referenced");
            if (depth + target.Height - 1 > ResourceCodec.MaxDocumentDepth)
                throw new YamlException(alias.Start, alias.End, $"document nested deeper than {ResourceCodec.MaxDocumentDepth} levels");
            state.AliasedNodes += target.Size;
            if (state.AliasedNodes > MaxAliasedNodes)
                throw new YamlException(alias.Start, alias.End, "document contains excessive aliasing");
            state.Nodes += target.Size;
            height = target.Height;
            return target.Node?.DeepClone();
        }
        var before = state.Nodes;
        state.Nodes++;
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            var value = ResolveScalar(scalar);
            height = 0;
            Remember(state, scalar.Anchor, value, before, height);
            return value;
        }
        if (depth > ResourceCodec.MaxDocumentDepth && parser.Current is NodeEvent { } tooDeep)
            throw new YamlException(tooDeep.Start, tooDeep.End, $"document nested deeper than {ResourceCodec.MaxDocumentDepth} levels");
        var childHeight = 0;
        if (parser.TryConsume<SequenceStart>(out var seqStart))
        {
            var array = new JsonArray();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                array.Add(ReadNode(parser, state, depth + 1, out var h));
                childHeight = Math.Max(childHeight, h);
            }
            height = childHeight + 1;
            Remember(state, seqStart.Anchor, array, before, height);
            return array;
        }
        var mapStart = parser.Consume<MappingStart>();
        var obj = new JsonObject();
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var keyMark = parser.Current!.Start;
            var key = ReadNode(parser, state, depth + 1, out var keyHeight);
            var keyText = key switch
            {
                null => "null",
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                _ => key.ToJsonString(s_keyOptions),
            };
            var value = ReadNode(parser, state, depth + 1, out var valueHeight);
            childHeight = Math.Max(childHeight, Math.Max(keyHeight, valueHeight));
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
        height = childHeight + 1;
        Remember(state, mapStart.Anchor, obj, before, height);
        return obj;
    }

    private static void Remember(DocumentState state, AnchorName anchor, JsonNode? node, int nodesBefore, int height)
    {
        if (!anchor.IsEmpty)
            state.Anchors[anchor.Value] = (node, state.Nodes - nodesBefore, height);
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
