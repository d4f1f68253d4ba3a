using System.Text.Json.Serialization;

namespace Calico.Ipam.Storage;

/// <summary>Upstream model.IPAMHandle: how many addresses the handle holds in each block (a secondary index).</summary>
internal sealed class IpamHandleData
{
    [JsonPropertyName("block")]
    [JsonConverter(typeof(GoSortedInt32MapConverter))]
    public Dictionary<string, int>? Block { get; set; }

    [JsonPropertyName("deleted")]
    public bool Deleted { get; set; }
}
