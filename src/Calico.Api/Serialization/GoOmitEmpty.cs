using System.Collections;
using System.Text.Json.Serialization.Metadata;

namespace Calico.Api.Serialization;

/// <summary>
/// Go's omitempty on the C# model: nullable strings and collections are dropped when null or empty,
/// and scalars that are plain values (not pointers) in Go are dropped when zero. Pointers to
/// strings and collections keep an explicit empty value (e.g. failsafeInboundHostPorts: [] disables failsafes).
/// </summary>
internal static partial class GoOmitEmpty
{
    public static void Apply(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object)
            return;
        var typeName = info.Type.Name;
        foreach (var p in info.Properties)
        {
            var key = typeName + "." + p.Name;
            if (s_keepEmpty.Contains(key) || KeepNull(key))
                continue;
            if (s_omitZero.Contains(key))
            {
                p.ShouldSerialize = static (_, v) => v is not null && !IsZero(v);
                continue;
            }
            var t = p.PropertyType;
            if (t == typeof(EntityRule))
            {
                p.ShouldSerialize = static (_, v) => v is EntityRule { IsZero: false };
                continue;
            }
            if (t == typeof(string) && p.IsGetNullable)
                p.ShouldSerialize = static (_, v) => v is string { Length: > 0 };
            else if (t.IsGenericType && (t.GetGenericTypeDefinition() == typeof(List<>) || t.GetGenericTypeDefinition() == typeof(Dictionary<,>)))
                p.ShouldSerialize = static (_, v) => v is ICollection { Count: > 0 };
        }
    }

    // metav1.Time is a struct in Go: omitempty never drops it and a zero time is written as null.
    private static bool KeepNull(string key) => key is "ObjectMeta.creationTimestamp" or "Condition.lastTransitionTime";

    private static bool IsZero(object v) => v switch
    {
        bool b => !b,
        int i => i == 0,
        long l => l == 0,
        uint u => u == 0,
        ushort s => s == 0,
        byte b8 => b8 == 0,
        double d => d == 0,
        _ => false,
    };
}
