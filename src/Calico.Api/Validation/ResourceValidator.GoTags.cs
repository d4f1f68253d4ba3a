using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Calico.Api;

public static partial class ResourceValidator
{
    [GeneratedRegex("^[a-zA-Z0-9:._+-]{1,64}$")]
    private static partial Regex PrometheusHostRegex();

    [GeneratedRegex("^[a-zA-Z0-9:._+-]{1,15}$")]
    private static partial Regex IfaceFilterRegex();

    [GeneratedRegex("^[a-zA-Z0-9_.*-]{1,15}$")]
    private static partial Regex IgnoredInterfaceRegex();

    [GeneratedRegex("^([0-9]|[12][0-9]|3[0-2])$")]
    private static partial Regex PrefixLengthV4Regex();

    [GeneratedRegex("^([0-9]|[1-9][0-9]|1[0-1][0-9]|12[0-8])$")]
    private static partial Regex PrefixLengthV6Regex();

    [GeneratedRegex(@"^\s*(\w+)\s*=\s*(\w+)\s*$")]
    private static partial Regex KeyValueRegex();

    // Tags checked by hand elsewhere (their messages are upstream's struct-level ones), so not twice.
    private static readonly HashSet<string> s_tagsCheckedByHand = new(StringComparer.Ordinal)
    {
        "selector", "labels", "IP:port", "reachableBy", "containerID", "action", "ipVersion",
    };

    /// <summary>Runs every field's upstream struct tag (go-playground/validator semantics) over the resource's JSON form.</summary>
    private static void CheckGoTags(Errors errors, string kind, JsonObject root)
    {
        foreach (var rule in GoTagRules.ForKind(kind))
        {
            var tokens = rule.Tag.Split(',');
            JsonPaths.Visit(root, rule.Path, (node, at) => ApplyTags(errors, rule, tokens, 0, node, at, rule.Pointer));
            // Go validates a plain field without omitempty even when it holds its zero value (which JSON leaves out).
            var dot = rule.Path.LastIndexOf('.');
            if (rule.Pointer || tokens[0] is "omitempty" or "dive" || dot < 0 || rule.Path.EndsWith(']') || rule.Path.EndsWith('}'))
                continue;
            var key = rule.Path[(dot + 1)..];
            JsonPaths.Visit(root, rule.Path[..dot], (parent, at) =>
            {
                if (parent is JsonObject obj && !obj.ContainsKey(key))
                    ApplyTags(errors, rule, tokens, 0, JsonValue.Create(""), at + "." + key, false);
            });
        }
    }

    private static void ApplyTags(Errors errors, GoTagRule rule, string[] tokens, int start, JsonNode node, string at, bool pointer)
    {
        for (var i = start; i < tokens.Length; i++)
        {
            var token = tokens[i];
            var eq = token.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? token : token[..eq];
            var arg = eq < 0 ? "" : token[(eq + 1)..];
            switch (name)
            {
                case "omitempty":
                    if (!pointer && IsZero(node))
                        return;
                    continue;
                case "dive":
                    if (node is JsonArray items)
                    {
                        for (var n = 0; n < items.Count; n++)
                        {
                            if (items[n] is { } item)
                                ApplyTags(errors, rule, tokens, i + 1, item, at + "[" + n.ToString(CultureInfo.InvariantCulture) + "]", false);
                        }
                    }
                    else if (node is JsonObject map)
                    {
                        foreach (var (key, value) in map)
                        {
                            if (value is not null)
                                ApplyTags(errors, rule, tokens, i + 1, value, at + "[" + key + "]", false);
                        }
                    }
                    return;
                case "required" when pointer && !(node is JsonValue set && set.GetValueKind() == JsonValueKind.Null):
                    continue; // a set pointer has a value even when it points to zero (go-playground's hasValue)
                default:
                    if (s_tagsCheckedByHand.Contains(name) || TagHolds(name, arg, node))
                        continue;
                    errors.AddUnlessNamed(at, Text(node), "Reason: failed to validate Field: " + rule.GoField + " because of Tag: " + name + " ");
                    return;
            }
        }
    }

    private static bool IsZero(JsonNode node) => node switch
    {
        JsonArray a => a.Count == 0,
        JsonObject o => o.Count == 0,
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>().Length == 0,
            JsonValueKind.Number => v.GetValue<double>() == 0,
            JsonValueKind.False => true,
            JsonValueKind.Null => true,
            _ => false,
        },
        _ => false,
    };

    private static string? Text(JsonNode node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v => v.ToJsonString(),
        _ => null,
    };

    private static bool TagHolds(string name, string arg, JsonNode node)
    {
        var s = node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
        switch (name)
        {
            case "required":
                return !IsZero(node);
            case "gte" or "lte" or "gt" or "lt" or "min" or "max" or "len":
                var limit = double.Parse(arg, CultureInfo.InvariantCulture);
                double size = node switch
                {
                    JsonArray a => a.Count,
                    JsonObject o => o.Count,
                    JsonValue nv when nv.GetValueKind() == JsonValueKind.Number => nv.GetValue<double>(),
                    _ when s is not null => s.EnumerateRunes().Count(),
                    _ => double.NaN,
                };
                if (double.IsNaN(size))
                    return true;
                return name switch
                {
                    "gte" or "min" => size >= limit,
                    "lte" or "max" => size <= limit,
                    "gt" => size > limit,
                    "lt" => size < limit,
                    _ => size == limit,
                };
            case "oneof":
                var text = Text(node);
                return text is null || Array.IndexOf(arg.Split(' ', StringSplitOptions.RemoveEmptyEntries), text) >= 0;
            case "unique":
                return node is not JsonArray list || list.Select(x => x?.ToJsonString()).Distinct(StringComparer.Ordinal).Count() == list.Count;
            case "bpfLogFilters":
                return node is not JsonObject filters || filters.All(kv => InterfaceRegex().IsMatch(kv.Key));
            case "cidrs":
                return node is not JsonArray cidrs || cidrs.All(c => c is JsonValue cv && cv.GetValueKind() == JsonValueKind.String && TryParseCidrOrIp(cv.GetValue<string>(), out _));
            case "ifaceFilterSlice":
                return node is not JsonArray ifaces || ifaces.All(c => c is JsonValue iv && iv.GetValueKind() == JsonValueKind.String && IfaceFilterRegex().IsMatch(iv.GetValue<string>()));
            case "interfaceSlice":
                return node is not JsonArray names || names.All(c => c is JsonValue iv && iv.GetValueKind() == JsonValueKind.String && InterfaceRegex().IsMatch(iv.GetValue<string>()));
        }
        if (s is null)
            return true;
        return name switch
        {
            "name" => NameRegex().IsMatch(s),
            "interface" => s == "*" || InterfaceRegex().IsMatch(s),
            "ignoredInterface" => s != "*" && IgnoredInterfaceRegex().IsMatch(s),
            "ifaceFilter" => IfaceFilterRegex().IsMatch(s),
            "bgpFilterInterface" => s == "*" || BgpFilterInterfaceRegex().IsMatch(s),
            "bgpFilterPrefixLengthV4" => s == "*" || PrefixLengthV4Regex().IsMatch(s),
            "bgpFilterPrefixLengthV6" => s == "*" || PrefixLengthV6Regex().IsMatch(s),
            "prometheusHost" => PrometheusHostRegex().IsMatch(s),
            "keyValueList" => s.Trim().Length == 0 || s.Split(',').All(item => item.Length == 0 || KeyValueRegex().IsMatch(item)),
            "regexp" => IsGoRegexp(s),
            "mac" => MacRegex().IsMatch(s),
            "portName" => Port.IsValidName(s),
            "ipType" => s is "CalicoNodeIP" or "InternalIP" or "ExternalIP",
            "createDefaultHostEndpoint" => s is "Enabled" or "Disabled",
            "wireguardPublicKey" => IsWireguardKey(s),
            "ip" => Cidr.TryParseAddress(s, out _),
            "ipv4" => Cidr.TryParseAddress(s, out var a4) && a4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork,
            "ipv6" => Cidr.TryParseAddress(s, out var a6) && a6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6,
            "cidr" => TryParseCidrOrIp(s, out _),
            "cidrv4" => TryParseCidrOrIp(s, out var c4) && Cidr.Family(c4) == 4,
            "cidrv6" => TryParseCidrOrIp(s, out var c6) && Cidr.Family(c6) == 6,
            // Upstream's net/netv4/netv6: an address or a CIDR (cnet keeps the address as written, so host bits pass).
            "net" => TryParseCidrOrIp(s, out _),
            "netv4" => TryParseCidrOrIp(s, out var n4) && Cidr.Family(n4) == 4,
            "netv6" => TryParseCidrOrIp(s, out var n6) && Cidr.Family(n6) == 6,
            _ => true,
        };
    }

    /// <summary>wgtypes.ParseKey: standard base64 of exactly 32 bytes.</summary>
    private static bool IsWireguardKey(string s)
    {
        Span<byte> key = stackalloc byte[33];
        return Convert.TryFromBase64String(s, key, out var written) && written == 32;
    }

    /// <summary>Go's RE2 refuses what .NET also refuses here (a bare quantifier, unbalanced brackets); close enough to decide validity.</summary>
    private static bool IsGoRegexp(string s)
    {
        try
        {
            _ = new Regex(s, RegexOptions.None, TimeSpan.FromSeconds(1));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
