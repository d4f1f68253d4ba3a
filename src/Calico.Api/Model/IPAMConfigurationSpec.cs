// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class IPAMConfigurationSpec
{
    [JsonPropertyName("strictAffinity")]
    public bool StrictAffinity { get; set; }

    [JsonPropertyName("maxBlocksPerHost")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? MaxBlocksPerHost { get; set; }

    [JsonPropertyName("autoAllocateBlocks")]
    public bool AutoAllocateBlocks { get; set; }

    [JsonPropertyName("kubeVirtVMAddressPersistence")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? KubeVirtVMAddressPersistence { get; set; }

    [JsonPropertyName("ipCooldownSeconds")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? IpCooldownSeconds { get; set; }
}
