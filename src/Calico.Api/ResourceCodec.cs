using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Calico.Api.Serialization;

namespace Calico.Api;

/// <summary>Documents in, resources out, and back: YAML/JSON as calicoctl reads and prints them, and the etcd value.</summary>
public static partial class ResourceCodec
{
    /// <summary>
    /// The deepest nesting of maps and lists a document may have (the top-level map is level 1). The deepest
    /// legitimate Calico resource, a policy rule's service-account names inside a List, is about 10 levels;
    /// 100 leaves room for anything a person writes and keeps every recursive walk far from the stack's end.
    /// Deeper documents (YAML, JSON, or a stored value) fail to decode with "document nested deeper than 100 levels".
    /// </summary>
    public const int MaxDocumentDepth = 100;

    private static readonly JsonSerializerOptions s_strict = CreateOptions(strict: true, indented: false);
    private static readonly JsonSerializerOptions s_lenient = CreateOptions(strict: false, indented: false);
    private static readonly JsonSerializerOptions s_indented = CreateOptions(strict: false, indented: true);

    private static JsonSerializerOptions CreateOptions(bool strict, bool indented)
    {
        var options = new JsonSerializerOptions
        {
            TypeInfoResolver = ApiJsonContext.Default.WithAddedModifier(GoOmitEmpty.Apply).WithAddedModifier(GoDurationFields.Apply),
            MaxDepth = MaxDocumentDepth,
            UnmappedMemberHandling = strict ? JsonUnmappedMemberHandling.Disallow : JsonUnmappedMemberHandling.Skip,
            // Go's encoder escapes only <, > and & (and U+2028/9); GoEscape adds those back after the relaxed encoder.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            WriteIndented = indented,
            IndentSize = 2,
            NewLine = "\n",
            AllowDuplicateProperties = true,
        };
        options.Converters.Add(new LenientStringConverter());
        options.Converters.Add(new YamlBoolConverter());
        options.Converters.Add(new YamlNullableBoolConverter());
        options.Converters.Add(new FiniteDoubleConverter());
        options.MakeReadOnly();
        return options;
    }

    [GeneratedRegex("^The JSON property '(.+?)' could not be mapped to any \\.NET member")]
    private static partial Regex UnmappedProperty();

    /// <summary>Parses a YAML or JSON stream: several documents, List objects and bare sequences are flattened.</summary>
    public static IReadOnlyList<Resource> Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<Resource>();
        foreach (var doc in YamlReader.ReadDocuments(text))
        {
            switch (doc)
            {
                case null:
                    break;
                case JsonArray array:
                    foreach (var item in array)
                        DecodeInto(item, result);
                    break;
                default:
                    DecodeInto(doc, result);
                    break;
            }
        }
        return result;
    }

    private static void DecodeInto(JsonNode? node, List<Resource> result)
    {
        if (node is null)
            return;
        if (node is not JsonObject obj)
            throw new ResourceDecodeException($"json: cannot unmarshal {KindOf(node)} into Go value of type unstructured.Unstructured");
        var kind = TypeField(obj, "kind");
        var apiVersion = TypeField(obj, "apiVersion");
        if (kind is null)
            throw new ResourceDecodeException($"Object 'Kind' is missing in '{obj.ToJsonString(s_lenient)}'");
        if (IsList(kind, apiVersion))
        {
            foreach (var (key, _) in obj)
            {
                if (key is not ("kind" or "apiVersion" or "metadata" or "items"))
                    throw new ResourceDecodeException(UnknownField(key), key);
            }
            if (obj["items"] is JsonArray items)
            {
                foreach (var item in items)
                    DecodeInto(item, result);
            }
            return;
        }
        result.Add(DecodeResource(obj, kind, apiVersion));
    }

    private static bool IsList(string kind, string? apiVersion) =>
        kind == "List" && apiVersion == "v1"
        || (kind.EndsWith("List", StringComparison.Ordinal) && apiVersion is not null
            && ResourceKinds.TryFromApiVersionKind(apiVersion, kind[..^4], out _));

    private static Resource DecodeResource(JsonObject obj, string kind, string? apiVersion)
    {
        if (apiVersion is null)
            throw new ResourceDecodeException($"Object 'apiVersion' is missing in '{obj.ToJsonString(s_lenient)}'");
        if (!ResourceKinds.TryFromApiVersionKind(apiVersion, kind, out var resourceKind))
            throw new ResourceDecodeException($"unknown resource type ({kind}) and/or version ({apiVersion})");
        var type = ResourceKinds.Create(resourceKind).GetType();
        try
        {
            return (Resource)obj.Deserialize(s_strict.GetTypeInfo(type))!;
        }
        catch (JsonException e)
        {
            throw Translate(e, resourceKind.Kind);
        }
    }

    private static ResourceDecodeException StoredValueError(JsonException e, string kind)
    {
        if (e.Message.Contains("maximum configured depth", StringComparison.Ordinal))
            return new ResourceDecodeException($"stored {kind} cannot be decoded: document nested deeper than {MaxDocumentDepth} levels", null, e);
        return Translate(e, kind);
    }

    private static ResourceDecodeException Translate(JsonException e, string kind)
    {
        var path = e.Path is { Length: > 1 } p ? p.TrimStart('$').TrimStart('.') : null;
        var unmapped = UnmappedProperty().Match(e.Message);
        if (unmapped.Success)
        {
            var field = unmapped.Groups[1].Value;
            return new ResourceDecodeException(UnknownField(field), path is null ? field : path + "." + field, e);
        }
        var detail = e.Message;
        var cut = detail.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut >= 0)
            detail = detail[..cut];
        // A converter's own message ("expected true or false, got 'maybe'") already says what is wrong.
        if (e.InnerException is null && !detail.Contains("could not be converted", StringComparison.Ordinal))
            return new ResourceDecodeException($"error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {kind} field {path}: {detail}", path, e);
        detail = ExpectedTypeOf(detail);
        return new ResourceDecodeException(
            $"error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {kind} field {path}: {detail}", path, e);
    }

    /// <summary>Says what the field takes instead of leaking a .NET type name ("System.Nullable`1[System.Int32]").</summary>
    private static string ExpectedTypeOf(string detail)
    {
        const string Marker = "could not be converted to ";
        var at = detail.IndexOf(Marker, StringComparison.Ordinal);
        if (at < 0)
            return detail;
        var type = detail[(at + Marker.Length)..].TrimEnd('.');
        string? expected = type switch
        {
            _ when type.Contains("Int32", StringComparison.Ordinal) || type.Contains("Int64", StringComparison.Ordinal) || type.Contains("UInt32", StringComparison.Ordinal) => "an integer",
            _ when type.Contains("Boolean", StringComparison.Ordinal) => "true or false",
            _ when type.Contains("Double", StringComparison.Ordinal) || type.Contains("Single", StringComparison.Ordinal) => "a number",
            _ when type.Contains("String", StringComparison.Ordinal) && !type.Contains("[]", StringComparison.Ordinal) && !type.Contains("List", StringComparison.Ordinal) && !type.Contains("Dictionary", StringComparison.Ordinal) => "a string",
            _ when type.Contains("Dictionary", StringComparison.Ordinal) => "a map of strings",
            _ when type.Contains("List", StringComparison.Ordinal) || type.Contains("[]", StringComparison.Ordinal) => "a list",
            _ => null,
        };
        return expected is null ? "the value has the wrong type" : "expected " + expected;
    }

    private static string UnknownField(string field) => "field in document is not recognized or is in the wrong location: " + field;

    private static string? TypeField(JsonObject obj, string name) =>
        obj[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static string KindOf(JsonNode node) => node switch
    {
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            _ => "bool",
        },
        _ => "object",
    };

    public static Resource Clone(Resource r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var info = s_lenient.GetTypeInfo(r.GetType());
        var bytes = JsonSerializer.SerializeToUtf8Bytes(r, info);
        return (Resource)JsonSerializer.Deserialize(bytes, info)!;
    }

    /// <summary>Indented by two spaces, fields in upstream's struct order, like calicoctl -o json.</summary>
    public static string ToJson(Resource r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return GoEscape(JsonSerializer.Serialize(r, s_indented.GetTypeInfo(r.GetType())));
    }

    public static string ToJsonList(ResourceKind kind, IReadOnlyList<Resource> items, string? resourceVersion) =>
        GoEscape(ListNode(kind, items, resourceVersion).ToJsonString(s_indented));

    /// <summary>Like calicoctl -o yaml: keys sorted at every level, go-yaml quoting and indentation.</summary>
    public static string ToYaml(Resource r) => YamlWriter.Write(ToJsonNode(r));

    public static string ToYamlList(ResourceKind kind, IReadOnlyList<Resource> items, string? resourceVersion) =>
        YamlWriter.Write(ListNode(kind, items, resourceVersion));

    /// <summary>Compact JSON: the value stored under the resource's etcd key.</summary>
    public static byte[] ToStorageJson(Resource r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return Encoding.UTF8.GetBytes(GoEscape(JsonSerializer.Serialize(r, s_lenient.GetTypeInfo(r.GetType()))));
    }

    /// <summary>Reads a stored value; unknown fields (written by newer versions) are ignored.</summary>
    public static Resource FromStorageJson(ResourceKind kind, ReadOnlySpan<byte> json)
    {
        ArgumentNullException.ThrowIfNull(kind);
        var type = ResourceKinds.Create(kind).GetType();
        Resource r;
        try
        {
            r = (Resource)JsonSerializer.Deserialize(json, s_lenient.GetTypeInfo(type))!;
        }
        catch (JsonException e)
        {
            // A stored value is read by agents that must carry on past it: one exception type, with the field.
            throw StoredValueError(e, kind.Kind);
        }

        if (string.IsNullOrEmpty(r.Kind))
            r.Kind = kind.Kind;
        if (string.IsNullOrEmpty(r.ApiVersion))
            r.ApiVersion = kind.ApiVersion;
        return r;
    }

    public static JsonObject ToJsonNode(Resource r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return (JsonObject)JsonSerializer.SerializeToNode(r, s_lenient.GetTypeInfo(r.GetType()))!;
    }

    /// <summary>Strict (unknown fields rejected), for objects built by merging a patch into <see cref="ToJsonNode"/>.</summary>
    public static Resource FromJsonNode(JsonObject node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var kind = TypeField(node, "kind") ?? throw new ResourceDecodeException($"Object 'Kind' is missing in '{node.ToJsonString(s_lenient)}'");
        return DecodeResource(node, kind, TypeField(node, "apiVersion"));
    }

    private static JsonObject ListNode(ResourceKind kind, IReadOnlyList<Resource> items, string? resourceVersion)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(items);
        var metadata = new JsonObject();
        if (!string.IsNullOrEmpty(resourceVersion))
            metadata["resourceVersion"] = resourceVersion;
        var array = new JsonArray();
        foreach (var item in items)
            array.Add((JsonNode)ToJsonNode(item));
        return new JsonObject
        {
            ["kind"] = kind.ListKind,
            ["apiVersion"] = kind.ApiVersion,
            ["metadata"] = metadata,
            ["items"] = array,
        };
    }

    private static string GoEscape(string json)
    {
        if (json.AsSpan().IndexOfAny("<>&\u2028\u2029") < 0)
            return json;
        var sb = new StringBuilder(json.Length + 16);
        foreach (var c in json)
        {
            switch (c)
            {
                case '<': sb.Append("\\u003c"); break;
                case '>': sb.Append("\\u003e"); break;
                case '&': sb.Append("\\u0026"); break;
                case '\u2028': sb.Append("\\u2028"); break;
                case '\u2029': sb.Append("\\u2029"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }
}
