using System.Text.Json.Nodes;
using Calico.Api;
using Calico.Client;

namespace Calico.Lab.Cluster;

/// <summary>
/// The lab's IP pools: IPv4 10.65.0.0/16 (/26 blocks) with the chosen vxlanMode, and IPv6 fd00:65::/48 (/122
/// blocks, routed natively). Both NAT outgoing. Neither overlaps upstream's default 192.168.0.0/16.
/// </summary>
public static class LabPools
{
    public static async Task CreateAsync(ResourceClient client, string encapsulation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        await CreateAsync(client, Pool(LabLayout.PoolName, LabLayout.PoolCidr, 26, UpOptions.VxlanMode(encapsulation)), cancellationToken).ConfigureAwait(false);
        await CreateAsync(client, Pool(LabLayout.Pool6Name, LabLayout.Pool6Cidr, 122, "Never"), cancellationToken).ConfigureAwait(false);
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
