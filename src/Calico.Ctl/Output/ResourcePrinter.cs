using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Calico.Api;

namespace Calico.Ctl.Output;

/// <summary>One thing <c>calicoctl get</c> prints: a named resource, or the list object of a kind.</summary>
internal abstract record Printable;

internal sealed record SinglePrintable(Resource Resource) : Printable;

internal sealed record ListPrintable(ResourceKind Kind, IReadOnlyList<Resource> Items, string? ResourceVersion) : Printable;

/// <summary>
/// Prints get results as upstream does: one result as a bare object, several as a sequence (YAML) or array
/// (JSON); a listed kind as its <c>&lt;Kind&gt;List</c> object; tables one per result with a blank line after each.
/// </summary>
internal sealed class ResourcePrinter
{
    private readonly string _format;
    private readonly IReadOnlyList<string>? _customColumns;
    private readonly bool _printNamespace;

    private ResourcePrinter(string format, IReadOnlyList<string>? customColumns, bool printNamespace)
    {
        _format = format;
        _customColumns = customColumns;
        _printNamespace = printNamespace;
    }

    /// <summary>Parses <c>-o</c>; an unknown format is an error naming it and the ones we print.</summary>
    public static ResourcePrinter Create(string output, bool printNamespace)
    {
        var o = output.Trim();
        if (o.StartsWith("custom-columns=", StringComparison.Ordinal))
        {
            var cols = o["custom-columns=".Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (cols.Length == 0)
            {
                throw new CtlException("invalid output format: custom-columns needs at least one column name, e.g. custom-columns=NAME,CIDR");
            }

            return new ResourcePrinter("custom", [.. cols.Select(c => c.ToUpperInvariant())], printNamespace);
        }

        return o switch
        {
            "ps" or "" => new ResourcePrinter("ps", null, printNamespace),
            "wide" => new ResourcePrinter("wide", null, printNamespace),
            "yaml" or "yml" => new ResourcePrinter("yaml", null, printNamespace),
            "json" => new ResourcePrinter("json", null, printNamespace),
            _ when o.StartsWith("go-template", StringComparison.Ordinal) =>
                throw new CtlException($"unrecognized output format '{output}': Go templates are not supported by this calicoctl; use yaml, json, ps, wide or custom-columns=COL1,COL2"),
            _ => throw new CtlException($"unrecognized output format '{output}': use yaml, json, ps, wide or custom-columns=COL1,COL2"),
        };
    }

    public string Print(IReadOnlyList<Printable> results) => _format switch
    {
        "yaml" => Yaml(results),
        "json" => Json(results),
        _ => Tables(results),
    };

    private static string Yaml(IReadOnlyList<Printable> results)
    {
        if (results.Count == 1)
        {
            return YamlOf(results[0]);
        }

        // A sequence of objects, as go-yaml writes a slice: "- " before the first line, two spaces before the rest.
        var sb = new StringBuilder();
        foreach (var r in results)
        {
            var lines = YamlOf(r).TrimEnd('\n').Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                sb.Append(i == 0 ? "- " : "  ").Append(lines[i]).Append('\n');
            }
        }

        return results.Count == 0 ? "[]\n" : sb.ToString();
    }

    private static string YamlOf(Printable p) => p switch
    {
        SinglePrintable s => ResourceCodec.ToYaml(s.Resource),
        ListPrintable l => ResourceCodec.ToYamlList(l.Kind, l.Items, l.ResourceVersion),
        _ => "",
    };

    private static string Json(IReadOnlyList<Printable> results)
    {
        if (results.Count == 1)
        {
            return JsonOf(results[0]) + "\n";
        }

        var array = new JsonArray();
        foreach (var r in results)
        {
            array.Add(JsonNode.Parse(JsonOf(r)));
        }

        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            array.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static string JsonOf(Printable p) => p switch
    {
        SinglePrintable s => ResourceCodec.ToJson(s.Resource).TrimEnd('\n'),
        ListPrintable l => ResourceCodec.ToJsonList(l.Kind, l.Items, l.ResourceVersion).TrimEnd('\n'),
        _ => "",
    };

    private string Tables(IReadOnlyList<Printable> results)
    {
        var sb = new StringBuilder();
        foreach (var p in results)
        {
            var (kind, items) = p switch
            {
                SinglePrintable s => (ResourceKinds.Of(s.Resource), (IReadOnlyList<Resource>)[s.Resource]),
                ListPrintable l => (l.Kind, l.Items),
                _ => throw new InvalidOperationException("unknown printable"),
            };
            var columns = TableColumns.For(kind.ApiVersion == "projectcalico.org/v3" ? kind.Kind : "k8s:" + kind.Kind);
            var headings = new List<string>(_customColumns ?? (_format == "wide" ? columns.Wide : columns.Default));
            if (_printNamespace && columns.HasNamespaceColumn)
            {
                headings.Insert(0, "NAMESPACE");
            }

            var rows = new List<IReadOnlyList<string>>(items.Count);
            foreach (var item in items)
            {
                var node = ResourceCodec.ToJsonNode(item);
                var row = new string[headings.Count];
                for (var c = 0; c < headings.Count; c++)
                {
                    if (!columns.TryCell(headings[c], node, out row[c]))
                    {
                        throw new CtlException($"unknown heading {headings[c]}, valid values are: {string.Join(", ", columns.Known)}");
                    }
                }

                rows.Add(row);
            }

            sb.Append(TabWriter.Render(headings, rows)).Append('\n');
        }

        return sb.ToString();
    }
}
