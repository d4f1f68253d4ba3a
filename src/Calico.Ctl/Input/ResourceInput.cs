using Calico.Api;

namespace Calico.Ctl.Input;

/// <summary>Reads resources from <c>-f</c>: a file, <c>-</c> for stdin, or a directory (recursively with <c>-R</c>).</summary>
internal static class ResourceInput
{
    private static readonly string[] s_extensions = [".yaml", ".yml", ".json"];

    /// <summary>Throws <see cref="CtlException"/> with upstream's "failed to execute command" wording on bad input.</summary>
    public static IReadOnlyList<Resource> Read(string filename, bool recursive, bool skipEmpty, TextReader stdin)
    {
        var resources = new List<Resource>();
        if (filename == "-")
        {
            Decode(stdin.ReadToEnd(), "stdin", skipEmpty, resources);
            return resources;
        }

        if (Directory.Exists(filename))
        {
            var files = Directory.GetFiles(filename, "*", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
                .Where(f => s_extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal);
            foreach (var f in files)
            {
                Decode(File.ReadAllText(f), f, skipEmpty: true, resources);
            }

            if (resources.Count == 0 && !skipEmpty)
            {
                throw new CtlException($"no resources specified in directory {filename}");
            }

            return resources;
        }

        if (!File.Exists(filename))
        {
            throw new CtlException($"failed to execute command: open {filename}: no such file or directory");
        }

        Decode(File.ReadAllText(filename), filename, skipEmpty, resources);
        return resources;
    }

    private static void Decode(string text, string source, bool skipEmpty, List<Resource> into)
    {
        IReadOnlyList<Resource> decoded;
        try
        {
            decoded = ResourceCodec.Decode(text);
        }
        catch (ResourceDecodeException e)
        {
            throw new CtlException($"failed to execute command: {e.Message}");
        }
        catch (ValidationException e)
        {
            throw new CtlException($"failed to execute command: {e.Message}");
        }

        if (decoded.Count == 0 && !skipEmpty)
        {
            throw new CtlException($"no resources specified in file {source}");
        }

        into.AddRange(decoded);
    }
}
