using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Calico.Ipam.Storage;

[JsonSerializable(typeof(AllocationBlockData))]
[JsonSerializable(typeof(BlockAffinityData))]
[JsonSerializable(typeof(IpamHandleData))]
[JsonSerializable(typeof(IpamConfigData))]
internal sealed partial class IpamJsonContext : JsonSerializerContext;

/// <summary>Source-generated (AOT-safe) codec for the IPAM values, compact as Go writes them.</summary>
internal static class IpamJson
{
    // Go escapes only <, > and & (and U+2028/9) in strings; relaxed escaping keeps everything else literal too.
    private static readonly IpamJsonContext Context = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static byte[] Encode(AllocationBlockData value) => JsonSerializer.SerializeToUtf8Bytes(value, Context.AllocationBlockData);

    public static byte[] Encode(BlockAffinityData value) => JsonSerializer.SerializeToUtf8Bytes(value, Context.BlockAffinityData);

    public static byte[] Encode(IpamHandleData value) => JsonSerializer.SerializeToUtf8Bytes(value, Context.IpamHandleData);

    public static byte[] Encode(IpamConfigData value) => JsonSerializer.SerializeToUtf8Bytes(value, Context.IpamConfigData);

    public static AllocationBlockData DecodeBlock(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, Context.AllocationBlockData) ?? throw new JsonException("null IPAM block");

    /// <summary>Old versions wrote an empty value for an affinity; that reads as an affinity with no state.</summary>
    public static BlockAffinityData DecodeAffinity(ReadOnlySpan<byte> json) =>
        json.IsEmpty ? new BlockAffinityData() : JsonSerializer.Deserialize(json, Context.BlockAffinityData) ?? new BlockAffinityData();

    public static IpamHandleData DecodeHandle(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, Context.IpamHandleData) ?? new IpamHandleData();

    public static IpamConfigData DecodeConfig(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, Context.IpamConfigData) ?? new IpamConfigData();
}
