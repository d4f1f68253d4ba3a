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
    // Lazy: the rule table lives in another part of this class, and field initialisers across parts run in no set order.
    private static readonly Lazy<Dictionary<string, SchemaRule[]>> s_byKind = new(() => s_rules
        .GroupBy(r => r.Kind, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal));

    private static readonly ConcurrentDictionary<string, Regex> s_patterns = new(StringComparer.Ordinal);

    public static bool HasSchema(string kind) => s_byKind.Value.ContainsKey(kind);

    public static void Check(string kind, JsonObject root, Action<string, string?, string> report)
    {
        if (!s_byKind.Value.TryGetValue(kind, out var rules))
            return;
        foreach (var rule in rules)
            JsonPaths.Visit(root, rule.Path, (node, at) => Apply(node, at, rule, report));
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
            default:
                return;
        }
    }

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
