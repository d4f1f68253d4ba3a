using System.Text.Json.Nodes;

namespace Calico.Ctl.Patching;

/// <summary>
/// The patch forms <c>calicoctl patch -t</c> accepts. Calico's resources carry no strategic-merge metadata,
/// so a strategic patch merges exactly as a JSON merge patch (RFC 7386) does; <c>json</c> is RFC 6902.
/// </summary>
internal static class JsonPatches
{
    public static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
                continue;
            }

            var merged = MergePatch(result[key]?.DeepClone(), value);
            result[key] = merged;
        }

        return result;
    }

    /// <summary>RFC 6902 operations add, remove, replace, move, copy, test over JSON pointers.</summary>
    public static JsonNode ApplyJsonPatch(JsonNode target, JsonArray operations)
    {
        foreach (var opNode in operations)
        {
            if (opNode is not JsonObject op || op["op"]?.GetValue<string>() is not { } name || op["path"]?.GetValue<string>() is not { } path)
            {
                throw new CtlException("invalid JSON patch: every operation needs \"op\" and \"path\"");
            }

            switch (name)
            {
                case "add":
                    Add(target, path, op["value"]?.DeepClone());
                    break;
                case "remove":
                    Remove(target, path);
                    break;
                case "replace":
                    Remove(target, path);
                    Add(target, path, op["value"]?.DeepClone());
                    break;
                case "move":
                {
                    var from = op["from"]?.GetValue<string>() ?? throw new CtlException("invalid JSON patch: move needs \"from\"");
                    var value = Get(target, from);
                    Remove(target, from);
                    Add(target, path, value);
                    break;
                }

                case "copy":
                {
                    var from = op["from"]?.GetValue<string>() ?? throw new CtlException("invalid JSON patch: copy needs \"from\"");
                    Add(target, path, Get(target, from)?.DeepClone());
                    break;
                }

                case "test":
                    if (!JsonNode.DeepEquals(Get(target, path), op["value"]))
                    {
                        throw new CtlException($"JSON patch test failed at {path}");
                    }

                    break;
                default:
                    throw new CtlException($"invalid JSON patch: unknown op '{name}'");
            }
        }

        return target;
    }

    private static string[] Segments(string pointer)
    {
        if (pointer.Length == 0)
        {
            return [];
        }

        if (pointer[0] != '/')
        {
            throw new CtlException($"invalid JSON patch path '{pointer}': must start with '/'");
        }

        return [.. pointer[1..].Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];
    }

    private static (JsonNode Parent, string Last) Parent(JsonNode root, string pointer)
    {
        var segments = Segments(pointer);
        if (segments.Length == 0)
        {
            throw new CtlException("invalid JSON patch: cannot change the whole document");
        }

        var node = root;
        foreach (var s in segments[..^1])
        {
            node = Child(node, s) ?? throw new CtlException($"invalid JSON patch path '{pointer}': '{s}' does not exist");
        }

        return (node, segments[^1]);
    }

    private static JsonNode? Child(JsonNode node, string segment) => node switch
    {
        JsonObject o => o[segment],
        JsonArray a when int.TryParse(segment, out var i) && i >= 0 && i < a.Count => a[i],
        _ => null,
    };

    private static JsonNode? Get(JsonNode root, string pointer)
    {
        JsonNode? node = root;
        foreach (var s in Segments(pointer))
        {
            node = node is null ? null : Child(node, s);
        }

        return node ?? throw new CtlException($"invalid JSON patch path '{pointer}': does not exist");
    }

    private static void Add(JsonNode root, string pointer, JsonNode? value)
    {
        var (parent, last) = Parent(root, pointer);
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i <= a.Count:
                a.Insert(i, value);
                break;
            default:
                throw new CtlException($"invalid JSON patch path '{pointer}'");
        }
    }

    private static void Remove(JsonNode root, string pointer)
    {
        var (parent, last) = Parent(root, pointer);
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last):
                o.Remove(last);
                break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i < a.Count:
                a.RemoveAt(i);
                break;
            default:
                throw new CtlException($"invalid JSON patch path '{pointer}': does not exist");
        }
    }
}
