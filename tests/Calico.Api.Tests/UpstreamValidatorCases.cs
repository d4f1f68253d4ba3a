namespace Calico.Api.Tests;

/// <summary>Reads testdata/upstream-validator/*.yaml: one YAML document per case, verdict in its comments.</summary>
internal static class UpstreamValidatorCases
{
    private static readonly Lazy<IReadOnlyList<UpstreamValidatorCase>> s_all = new(Load);

    public static IReadOnlyList<UpstreamValidatorCase> All => s_all.Value;

    private static List<UpstreamValidatorCase> Load()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "testdata", "upstream-validator");
        var cases = new List<UpstreamValidatorCase>();
        foreach (var path in Directory.GetFiles(dir, "*.yaml").Order(StringComparer.Ordinal))
        {
            var file = Path.GetFileName(path);
            var docs = File.ReadAllText(path).Split("\n---\n");
            // The first chunk is the file's header.
            foreach (var doc in docs.Skip(1))
            {
                string? name = null, upstream = null, expect = null, pending = null, skip = null;
                foreach (var line in doc.Split('\n'))
                {
                    if (!line.StartsWith("# ", StringComparison.Ordinal))
                        continue;
                    var colon = line.IndexOf(": ", StringComparison.Ordinal);
                    if (colon < 0)
                        continue;
                    var value = line[(colon + 2)..].Trim();
                    switch (line[2..colon])
                    {
                        case "case": name = value; break;
                        case "upstream": upstream = value.Split(' ')[0].Split('/')[^1]; break;
                        case "expect": expect = value; break;
                        case "pending": pending = value; break;
                        case "skip": skip = value; break;
                    }
                }
                if (name is null || upstream is null || expect is not ("valid" or "invalid"))
                    throw new InvalidDataException($"{file}: a case lacks '# case', '# upstream' or '# expect: valid|invalid': {doc[..Math.Min(200, doc.Length)]}");
                // A skipped case cannot be written as a document (its reason says why); it stays in the file as a record.
                if (skip is null)
                    cases.Add(new UpstreamValidatorCase(file, upstream, name, expect == "valid", pending, doc));
            }
        }
        return cases;
    }

    /// <summary>What calicoctl apply would say: decode strictly, default, validate. Returns the first error or null.</summary>
    public static string? Verdict(UpstreamValidatorCase c)
    {
        try
        {
            foreach (var r in ResourceCodec.Decode(c.Document))
            {
                ResourceDefaults.Apply(r);
                if (r is WorkloadEndpoint wep && string.IsNullOrEmpty(wep.Metadata.Name)
                    && WorkloadEndpointNames.TryCompute(wep.Spec, out var wepName, out _))
                {
                    // Upstream validated the bare spec; the wrapper takes the name the spec implies.
                    wep.Metadata.Name = wepName;
                }
                ResourceValidator.Validate(r);
            }
            return null;
        }
        catch (ResourceDecodeException e)
        {
            return "decode: " + e.Message;
        }
        catch (ValidationException e)
        {
            return e.Message;
        }
    }
}
