using System.Collections;
using System.Reflection;
using System.Text.Json.Serialization;
using Calico.Api;

namespace Calico.Api.Tests.Support;

/// <summary>Every JSON field path of every kind, found by walking the model types by reflection.</summary>
internal static class ModelPaths
{
    /// <summary>Leaf: a field with no fields of its own below it (what needs a row).</summary>
    public static IEnumerable<(ResourceKind Kind, string Path, bool Leaf)> All()
    {
        foreach (var type in typeof(Resource).Assembly.GetTypes())
        {
            if (type.IsAbstract || !type.IsSubclassOf(typeof(Resource)))
            {
                continue;
            }

            var kind = ResourceKinds.Of((Resource)Activator.CreateInstance(type)!);
            foreach (var (path, leaf) in Walk(type, "", 0))
            {
                if (path is not ("kind" or "apiVersion"))
                {
                    yield return (kind, path, leaf);
                }
            }
        }
    }

    private static IEnumerable<(string Path, bool Leaf)> Walk(Type type, string prefix, int depth)
    {
        Assert.True(depth < 12, "model too deep at " + prefix);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var json = property.GetCustomAttribute<JsonPropertyNameAttribute>();
            if (json is null)
            {
                continue;
            }

            var path = prefix.Length == 0 ? json.Name : prefix + "." + json.Name;
            var (element, suffix) = ElementOf(property.PropertyType);
            var composite = IsComposite(element);
            yield return (path, !composite);
            if (composite)
            {
                foreach (var child in Walk(element, path + suffix, depth + 1))
                {
                    yield return child;
                }
            }
        }
    }

    private static (Type Element, string Suffix) ElementOf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type != typeof(string) && !IsDictionary(type) && type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type))
        {
            return (type.GetGenericArguments()[0], "[]");
        }

        return (type, "");
    }

    private static bool IsDictionary(Type type) =>
        type.IsGenericType && type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));

    /// <summary>A class of our model with its own JSON fields (not a scalar with a converter, not a map).</summary>
    private static bool IsComposite(Type type) =>
        type.IsClass && type != typeof(string) && type.Namespace == "Calico.Api"
        && type.GetCustomAttribute<JsonConverterAttribute>() is null && !IsDictionary(type);
}
