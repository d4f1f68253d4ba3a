using System.Runtime.CompilerServices;
using Calico.Api;

namespace Calico.Bird.Tests;

/// <summary>
/// A golden case: <c>testdata/&lt;case&gt;/input.yaml</c> (resources, plus <c># node:</c>, <c># blocks:</c> and
/// <c># secret: name/key=value</c> header comments) beside <c>expected.cfg</c>. Set <c>UPDATE_GOLDEN=1</c> to rewrite
/// the expected files from the renderer; never otherwise.
/// </summary>
internal static class GoldenCase
{
    public static string Directory([CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(thisFile)!, "testdata");

    public static IEnumerable<string> Names() =>
        System.IO.Directory.GetDirectories(Directory()).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);

    public static BirdInputs Load(string name)
    {
        var text = File.ReadAllText(Path.Combine(Directory(), name, "input.yaml"));
        return Parse(text);
    }

    public static BirdInputs Parse(string text)
    {
        string? node = null;
        var blocks = new List<string>();
        var secrets = new Dictionary<(string, string), string>();
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("# node:", StringComparison.Ordinal))
            {
                node = line["# node:".Length..].Trim();
            }
            else if (line.StartsWith("# blocks:", StringComparison.Ordinal))
            {
                blocks.AddRange(line["# blocks:".Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            }
            else if (line.StartsWith("# secret:", StringComparison.Ordinal))
            {
                var entry = line["# secret:".Length..].Trim();
                var (reference, value) = (entry[..entry.IndexOf('=', StringComparison.Ordinal)], entry[(entry.IndexOf('=', StringComparison.Ordinal) + 1)..]);
                var slash = reference.IndexOf('/', StringComparison.Ordinal);
                secrets[(reference[..slash], reference[(slash + 1)..])] = value;
            }
        }

        var resources = ResourceCodec.Decode(text);
        var configs = resources.OfType<BGPConfiguration>().ToList();
        return new BirdInputs(
            node ?? throw new InvalidOperationException("golden input needs '# node: <name>'"),
            resources.OfType<Node>().ToList(),
            configs.FirstOrDefault(c => c.Metadata.Name == "default"),
            configs.Where(c => c.Metadata.Name != "default").ToList(),
            resources.OfType<BGPPeer>().ToList(),
            resources.OfType<IPPool>().ToList(),
            blocks)
        {
            SecretLookup = (name, key) => secrets.GetValueOrDefault((name, key)),
            Filters = resources.OfType<BGPFilter>().ToList(),
            LocalWorkloads = resources.OfType<WorkloadEndpoint>().ToList(),
        };
    }
}
