using Calico.Api;
using Calico.Felix.Config;

namespace Calico.Felix.Tests.Config;

internal static class LoaderHarness
{
    public static FelixConfigLoadResult Load(
        IReadOnlyDictionary<string, string>? env = null,
        string? file = null,
        FelixConfiguration? global = null,
        FelixConfiguration? node = null,
        IReadOnlyList<FelixConfiguration>? selectorScoped = null,
        IReadOnlyDictionary<string, string>? labels = null) =>
        FelixConfigLoader.Load(
            env ?? new Dictionary<string, string>(),
            file,
            global,
            node,
            selectorScoped ?? [],
            labels ?? new Dictionary<string, string>());

    public static FelixConfiguration Resource(string name, Action<FelixConfigurationSpec> configure, string? created = null)
    {
        var resource = new FelixConfiguration();
        resource.Metadata.Name = name;
        resource.Metadata.CreationTimestamp = created;
        configure(resource.Spec);
        return resource;
    }

    public static Dictionary<string, string> Env(params string[] pairs)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            env[pair[..eq]] = pair[(eq + 1)..];
        }
        return env;
    }
}
