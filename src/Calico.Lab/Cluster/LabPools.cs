using System.Text.Json.Nodes;
using Calico.Api;
using Calico.Client;

namespace Calico.Lab.Cluster;

/// <summary>
/// The lab's IP pools: IPv4 10.65.0.0/16 (/26 blocks) and IPv6 fd00:65::/48 (/122 blocks), both with the chosen
/// vxlanMode (IPv6 VXLAN runs over <c>vxlan-v6.calico</c>) and NAT outgoing. Neither overlaps upstream's default
/// 192.168.0.0/16.
/// </summary>
public static class LabPools
{
    public static async Task CreateAsync(ResourceClient client, string encapsulation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        string vxlanMode = UpOptions.VxlanMode(encapsulation);
        await CreateAsync(client, Pool(LabLayout.PoolName, LabLayout.PoolCidr, 26, vxlanMode), cancellationToken).ConfigureAwait(false);
        await CreateAsync(client, Pool(LabLayout.Pool6Name, LabLayout.Pool6Cidr, 122, vxlanMode), cancellationToken).ConfigureAwait(false);
    }

    private static JsonObject Pool(string name, string cidr, int blockSize, string vxlanMode) => new()
    {
        ["apiVersion"] = "projectcalico.org/v3",
        ["kind"] = "IPPool",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["cidr"] = cidr,
            ["ipipMode"] = "Never",
            ["vxlanMode"] = vxlanMode,
            ["natOutgoing"] = true,
            ["blockSize"] = blockSize,
            ["nodeSelector"] = "all()",
        },
    };

    private static async Task CreateAsync(ResourceClient client, JsonObject document, CancellationToken cancellationToken)
    {
        var result = await client.CreateAsync(ResourceCodec.FromJsonNode(document), cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new LabException($"creating IPPool {document["metadata"]!["name"]}: {result.Message}");
        }
    }
}
