using System.Collections.Immutable;

namespace Calico.Nftables;

/// <summary>
/// What a set or map declares: its key type (one datatype or a concatenation), <c>flags interval</c>, and for a map
/// the value type. Value equality: a changed declaration means the set is re-created.
/// </summary>
public sealed class NftSetType : IEquatable<NftSetType>
{
    public NftSetType(ImmutableArray<NftDataType> key, bool interval = false, NftDataType? mapValue = null)
    {
        if (key.IsDefaultOrEmpty)
        {
            throw new ArgumentException("a set needs a key type", nameof(key));
        }

        Key = key;
        Interval = interval;
        MapValue = mapValue;
        Lines = interval ? ["type " + TypeText(), "flags interval"] : ["type " + TypeText()];
    }

    public static NftSetType Of(NftDataType key, bool interval = false) => new([key], interval);

    public ImmutableArray<NftDataType> Key { get; }

    public bool Interval { get; }

    /// <summary>The value type of a map (<c>type ifname : verdict</c>), null for a set.</summary>
    public NftDataType? MapValue { get; }

    public bool IsMap => MapValue is not null;

    /// <summary>The declaration lines inside the braces, before the elements.</summary>
    public ImmutableArray<string> Lines { get; }

    public static string NameOf(NftDataType type) => type switch
    {
        NftDataType.Ipv4Addr => "ipv4_addr",
        NftDataType.Ipv6Addr => "ipv6_addr",
        NftDataType.InetProto => "inet_proto",
        NftDataType.InetService => "inet_service",
        NftDataType.Ifname => "ifname",
        NftDataType.Verdict => "verdict",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private string TypeText()
    {
        string key = string.Join(" . ", Key.Select(NameOf));
        return MapValue is { } value ? key + " : " + NameOf(value) : key;
    }

    public bool Equals(NftSetType? other) =>
        other is not null && Interval == other.Interval && MapValue == other.MapValue && Key.AsSpan().SequenceEqual(other.Key.AsSpan());

    public override bool Equals(object? obj) => Equals(obj as NftSetType);

    public override int GetHashCode() => HashCode.Combine(Key.Length, Key[0], Interval, MapValue);

    public override string ToString() => string.Join("; ", Lines);
}
