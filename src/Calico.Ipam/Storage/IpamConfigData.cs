using System.Text.Json.Serialization;

namespace Calico.Ipam.Storage;

/// <summary>Upstream model.IPAMConfig at /calico/ipam/v2/config (every field omitempty, as upstream).</summary>
internal sealed class IpamConfigData
{
    [JsonPropertyName("strict_affinity")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool StrictAffinity { get; set; }

    [JsonPropertyName("auto_allocate_blocks")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool AutoAllocateBlocks { get; set; }

    [JsonPropertyName("maxBlocksPerHost")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int MaxBlocksPerHost { get; set; }

    [JsonPropertyName("kubeVirtVMAddressPersistence")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? KubeVirtVMAddressPersistence { get; set; }

    [JsonPropertyName("ipCooldownSeconds")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int IpCooldownSeconds { get; set; }
}
