using System.Text.Json;
using System.Text.Json.Nodes;

namespace Calico.Api.Support;

/// <summary>
/// The one source of truth for what each field of each kind does in this implementation (rows in
/// <c>SupportMatrix.Rows.cs</c>), and the check calicoctl (at apply time) and calico-node (at run time) both run.
/// A field is covered by its own row, or by the nearest ancestor row when that row is refused, ignored, or an acts
/// row marked <see cref="FieldSupport.Subtree"/>; a test walks the model and fails on any field left uncovered.
/// </summary>
public static partial class SupportMatrix
{
    // A metav1.Duration's zero as upstream exports print it ("0s").
    [System.Text.RegularExpressions.GeneratedRegex(@"^0+(\.0+)?(ns|us|µs|ms|s|m|h)?$")]
    private static partial System.Text.RegularExpressions.Regex ZeroDuration();

    // Declared before the index: static initialisers run in textual order within this file.
    private static readonly List<FieldSupport> s_rows = BuildRows();
    private static readonly Dictionary<string, List<FieldSupport>> s_byKindPath = Index();

    /// <summary>Every row, in table order.</summary>
    public static IReadOnlyList<FieldSupport> All => s_rows;

    /// <summary>The name a kind has in the table: its Kind, with the API group for the Kubernetes kinds.</summary>
    public static string KindKey(ResourceKind kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return kind.ApiVersion == Resource.CalicoApiVersion ? kind.Kind : $"{kind.Kind} ({kind.ApiVersion})";
    }

    /// <summary>The rows for exactly this kind and path (empty path: kind-level rows).</summary>
    public static IReadOnlyList<FieldSupport> RowsFor(string kindKey, string path) =>
        s_byKindPath.TryGetValue(kindKey + "\n" + path, out var rows) ? rows : [];

    /// <summary>
    /// The row that decides <paramref name="path"/>: its own (or an ancestor's that covers its subtree), or null when
    /// no row covers it (the completeness test keeps that from happening for any model field).
    /// </summary>
    public static FieldSupport? Covering(string kindKey, string path)
    {
        if (RowsFor(kindKey, "") is [var kindRow, ..])
        {
            return kindRow;
        }

        var own = RowsFor(kindKey, path);
        foreach (var row in own)
        {
            if (row.Values is null && !row.WhenAbsent)
            {
                return row;
            }
        }

        if (own.Count > 0)
        {
            return own[0];
        }

        for (var cut = LastSeparator(path); cut > 0; cut = LastSeparator(path[..cut]))
        {
            foreach (var row in RowsFor(kindKey, path[..cut]))
            {
                if (row.Values is null && !row.WhenAbsent && (row.Subtree || row.Status != SupportStatus.Acts))
                {
                    return row;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Every refused or ignored setting <paramref name="resource"/> makes: fields set to something other than their
    /// default, a refused value of an acting field, a required field left out, or a kind that is not acted on.
    /// </summary>
    public static IReadOnlyList<SupportFinding> Check(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var kindKey = KindKey(ResourceKinds.Of(resource));
        var name = string.IsNullOrEmpty(resource.Metadata.Namespace)
            ? resource.Metadata.Name ?? ""
            : resource.Metadata.Namespace + "/" + resource.Metadata.Name;
        var findings = new List<SupportFinding>();
        var displayKind = ResourceKinds.Of(resource).Kind;

        if (RowsFor(kindKey, "") is [var kindRow, ..])
        {
            if (kindRow.Status != SupportStatus.Acts)
            {
                findings.Add(new SupportFinding(displayKind, name, "", "", kindRow));
            }

            return findings;
        }

        var node = ResourceCodec.ToJsonNode(resource);
        foreach (var (key, value) in node)
        {
            if (key is "kind" or "apiVersion")
            {
                continue;
            }

            Walk(kindKey, displayKind, name, key, value, findings);
        }

        foreach (var row in AbsentRows(kindKey))
        {
            if (IsUnset(Lookup(node, row.Path), null))
            {
                findings.Add(new SupportFinding(displayKind, name, row.Path, "", row));
            }
        }

        return findings;
    }

    private static void Walk(string kindKey, string displayKind, string name, string path, JsonNode? value, List<SupportFinding> findings)
    {
        var rows = RowsFor(kindKey, path);
        FieldSupport? general = null;
        foreach (var row in rows)
        {
            if (row.WhenAbsent)
            {
                continue;
            }

            if (row.Values is { } values)
            {
                if (value is JsonValue && Matches(values, Text(value)))
                {
                    if (row.Status != SupportStatus.Acts)
                    {
                        findings.Add(new SupportFinding(displayKind, name, path, Text(value), row));
                    }

                    return;
                }

                continue;
            }

            general ??= row;
        }

        if (general is { Status: not SupportStatus.Acts })
        {
            if (!IsUnset(value, general.Defaults))
            {
                findings.Add(new SupportFinding(displayKind, name, path, Text(value), general));
            }

            return;
        }

        if (general is { Subtree: true })
        {
            return;
        }

        switch (value)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    Walk(kindKey, displayKind, name, path + "." + key, child, findings);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Walk(kindKey, displayKind, name, path + "[]", item, findings);
                }

                break;
        }
    }

    /// <summary>Null, empty, Go's zero values (unless the row names its defaults), or a listed default; for a list or object, every part unset.</summary>
    private static bool IsUnset(JsonNode? value, IReadOnlyList<string>? defaults)
    {
        switch (value)
        {
            case null:
                return true;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (!IsUnset(item, null))
                    {
                        return false;
                    }
                }

                return true;
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    if (!IsUnset(child, null))
                    {
                        return false;
                    }
                }

                return true;
        }

        var text = Text(value);
        if (text.Length == 0)
        {
            return true;
        }

        if (defaults is not null)
        {
            return Matches(defaults, text);
        }

        return value.GetValueKind() switch
        {
            JsonValueKind.False => true,
            JsonValueKind.Number => value.GetValue<JsonElement>().TryGetDouble(out var d) && d == 0,
            _ => ZeroDuration().IsMatch(text),
        };
    }

    private static bool Matches(IReadOnlyList<string> values, string text)
    {
        foreach (var v in values)
        {
            if (string.Equals(v, text, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A scalar as its text (a string unquoted); a list or object as compact JSON.</summary>
    private static string Text(JsonNode? value) => value switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<JsonElement>().GetString() ?? "",
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False or JsonValueKind.Number => v.ToJsonString(),
        _ => value.ToJsonString(),
    };

    private static JsonNode? Lookup(JsonObject root, string path)
    {
        JsonNode? node = root;
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject obj && obj.TryGetPropertyValue(part, out var child) ? child : null;
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    private static IEnumerable<FieldSupport> AbsentRows(string kindKey)
    {
        foreach (var row in All)
        {
            if (row.WhenAbsent && row.Kind == kindKey)
            {
                yield return row;
            }
        }
    }

    private static int LastSeparator(string path)
    {
        var dot = path.LastIndexOf('.');
        var bracket = path.EndsWith("[]", StringComparison.Ordinal) ? path.Length - 2 : -1;
        return Math.Max(dot, bracket);
    }

    private static Dictionary<string, List<FieldSupport>> Index()
    {
        var index = new Dictionary<string, List<FieldSupport>>(StringComparer.Ordinal);
        foreach (var row in s_rows)
        {
            var key = row.Kind + "\n" + row.Path;
            if (!index.TryGetValue(key, out var list))
            {
                index[key] = list = [];
            }

            list.Add(row);
        }

        return index;
    }
}
