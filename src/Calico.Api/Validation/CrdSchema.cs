using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Calico.Api;

/// <summary>
/// Applies the structural constraints of upstream's CRD schemas (enum, pattern, bounds, item counts, lengths,
/// address formats) to a resource in its JSON form, as libcalico-go does before its Go validator: a value is
/// checked against the constraints of its own JSON type only (a pattern never applies to a number).
/// </summary>
internal static partial class CrdSchema
{
    private static readonly Dictionary<string, SchemaRule[]> s_byKind = s_rules
        .GroupBy(r => r.Kind, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);

    private static readonly ConcurrentDictionary<string, Regex> s_patterns = new(StringComparer.Ordinal);

    public static bool HasSchema(string kind) => s_byKind.ContainsKey(kind);

    public static void Check(string kind, JsonObject root, Action<string, string?, string> report)
    {
        if (!s_byKind.TryGetValue(kind, out var rules))
            return;
        foreach (var rule in rules)
            Visit(root, Segments(rule.Path), 0, "", rule, report);
    }

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

    private static void Visit(JsonNode? node, List<string> segments, int index, string at, SchemaRule rule, Action<string, string?, string> report)
    {
        if (node is null)
            return;
        if (index == segments.Count)
        {
            Apply(node, at, rule, report);
            return;
        }
        var segment = segments[index];
        switch (segment)
        {
            case "[]" when node is JsonArray array:
                for (var i = 0; i < array.Count; i++)
                    Visit(array[i], segments, index + 1, at + "[" + i.ToString(CultureInfo.InvariantCulture) + "]", rule, report);
                break;
            case "{}" when node is JsonObject map:
                foreach (var (key, value) in map)
                    Visit(value, segments, index + 1, at + "[" + key + "]", rule, report);
                break;
            default:
                if (node is JsonObject obj && obj.TryGetPropertyValue(segment, out var child))
                    Visit(child, segments, index + 1, at.Length == 0 ? segment : at + "." + segment, rule, report);
                break;
        }
    }

    private static void Apply(JsonNode node, string at, SchemaRule rule, Action<string, string?, string> report)
    {
        var arg = rule.Argument;
        switch (rule.Check)
        {
            case SchemaCheck.MaxItems when node is JsonArray a && a.Count > Int(arg):
                report(at, null, $"Too many: {a.Count}: must have at most {arg} items");
                return;
            case SchemaCheck.MinItems when node is JsonArray a && a.Count < Int(arg):
                report(at, null, $"should have at least {arg} items");
                return;
            case SchemaCheck.Enum when node is JsonValue v && Text(v) is { } text:
                var allowed = arg.Split('|');
                if (Array.IndexOf(allowed, text) < 0)
                    report(at, text, "Unsupported value: \"" + text + "\": supported values: " + string.Join(", ", allowed.Select(x => "\"" + x + "\"")));
                return;
            case SchemaCheck.Pattern when node is JsonValue v && v.GetValueKind() == JsonValueKind.String:
                var s = v.GetValue<string>();
                if (!s_patterns.GetOrAdd(arg, p => new Regex(p, RegexOptions.CultureInvariant)).IsMatch(s))
                    report(at, s, "should match '" + arg + "'");
                return;
            case SchemaCheck.MaxLength when node is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length > Int(arg):
                report(at, v.GetValue<string>(), $"may not be more than {arg} bytes");
                return;
            case SchemaCheck.MinLength when node is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length < Int(arg):
                report(at, v.GetValue<string>(), $"should be at least {arg} chars long");
                return;
            case SchemaCheck.Maximum when node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.GetValue<double>() > Num(arg):
                report(at, Text(v), $"should be less than or equal to {arg}");
                return;
            case SchemaCheck.Minimum when node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.GetValue<double>() < Num(arg):
                report(at, Text(v), $"should be greater than or equal to {arg}");
                return;
            case SchemaCheck.Format when node is JsonValue v && v.GetValueKind() == JsonValueKind.String:
                var value = v.GetValue<string>();
                if (!IsFormat(arg, value))
                    report(at, value, "must be of type " + arg);
                return;
            default:
                return;
        }
    }

    private static bool IsFormat(string format, string value) => format switch
    {
        "cidr" => value.Contains('/', StringComparison.Ordinal) && Cidr.TryParse(value, out _, out _),
        "ip" => Cidr.TryParseAddress(value, out _),
        "ipv4" => Cidr.TryParseAddress(value, out var a4) && a4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork,
        "ipv6" => Cidr.TryParseAddress(value, out var a6) && a6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6,
        _ => true,
    };

    private static string? Text(JsonValue v) => v.GetValueKind() switch
    {
        JsonValueKind.String => v.GetValue<string>(),
        JsonValueKind.Number => v.ToJsonString(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);

    private static double Num(string s) => double.Parse(s, CultureInfo.InvariantCulture);
}
