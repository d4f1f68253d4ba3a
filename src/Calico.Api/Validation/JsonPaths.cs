using System.Globalization;
using System.Text.Json.Nodes;

namespace Calico.Api;

/// <summary>Visits the nodes at a schema path (<c>spec.rules[].action</c>: <c>[]</c> every item, <c>{}</c> every map value).</summary>
internal static class JsonPaths
{
    public static void Visit(JsonNode? root, string path, Action<JsonNode, string> visit) =>
        Visit(root, Segments(path), 0, "", visit);

    private static List<string> Segments(string path)
    {
        var segments = new List<string>();
        foreach (var part in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = part;
            var suffixes = new List<string>();
            while (name.EndsWith("[]", StringComparison.Ordinal) || name.EndsWith("{}", StringComparison.Ordinal))
            {
                suffixes.Insert(0, name[^2..]);
                name = name[..^2];
            }
            if (name.Length > 0)
                segments.Add(name);
            segments.AddRange(suffixes);
        }
        return segments;
    }

    private static void Visit(JsonNode? node, List<string> segments, int index, string at, Action<JsonNode, string> visit)
    {
        if (node is null)
            return;
        if (index == segments.Count)
        {
            visit(node, at);
            return;
        }
        switch (segments[index])
        {
            case "[]" when node is JsonArray array:
                for (var i = 0; i < array.Count; i++)
                    Visit(array[i], segments, index + 1, at + "[" + i.ToString(CultureInfo.InvariantCulture) + "]", visit);
                break;
            case "{}" when node is JsonObject map:
                foreach (var (key, value) in map)
                    Visit(value, segments, index + 1, at + "[" + key + "]", visit);
                break;
            default:
                var segment = segments[index];
                if (node is JsonObject obj && obj.TryGetPropertyValue(segment, out var child))
                    Visit(child, segments, index + 1, at.Length == 0 ? segment : at + "." + segment, visit);
                break;
        }
    }
}
