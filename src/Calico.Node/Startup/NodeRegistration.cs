using Calico.Api;
using Calico.Client;
using Microsoft.Extensions.Logging;

namespace Calico.Node.Startup;

/// <summary>
/// Upstream's start-up: the datastore is initialised (default tier, cluster information), this host's Node exists
/// with its address, and the node name is written where the CNI plugin looks for it.
/// </summary>
internal static partial class NodeRegistration
{
    public static Task<Api.Node> EnsureAsync(ResourceClient client, string nodeName, string? ipv4Cidr, string? ipv6Cidr, ILogger logger, CancellationToken cancellationToken) =>
        EnsureAsync(client, nodeName, ipv4Cidr, ipv6Cidr, asNumber: null, logger, cancellationToken);

    /// <summary>As above; a non-null <paramref name="asNumber"/> (upstream's <c>AS</c>) is written to spec.bgp.asNumber.</summary>
    public static async Task<Api.Node> EnsureAsync(ResourceClient client, string nodeName, string? ipv4Cidr, string? ipv6Cidr, uint? asNumber, ILogger logger, CancellationToken cancellationToken)
    {
        await client.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        for (int attempt = 0; ; attempt++)
        {
            var existing = await client.GetAsync(ResourceKinds.Node, null, nodeName, cancellationToken).ConfigureAwait(false) as Api.Node;
            if (existing is null)
            {
                var node = new Api.Node { Metadata = { Name = nodeName } };
                if (ipv4Cidr is not null || ipv6Cidr is not null || asNumber is not null)
                {
                    node.Spec.Bgp = new NodeBGPSpec { Ipv4Address = ipv4Cidr, Ipv6Address = ipv6Cidr, AsNumber = asNumber };
                }

                OperationResult created = await client.CreateAsync(node, cancellationToken).ConfigureAwait(false);
                if (created.Succeeded)
                {
                    Log.Created(logger, nodeName, ipv4Cidr ?? "none");
                    return (Api.Node)created.Resource!;
                }
            }
            else
            {
                bool v4Same = ipv4Cidr is null || existing.Spec.Bgp?.Ipv4Address == ipv4Cidr;
                bool v6Same = ipv6Cidr is null || existing.Spec.Bgp?.Ipv6Address == ipv6Cidr;
                bool asSame = asNumber is null || existing.Spec.Bgp?.AsNumber == asNumber;
                if (v4Same && v6Same && asSame)
                {
                    return existing;
                }

                existing.Spec.Bgp ??= new NodeBGPSpec();
                existing.Spec.Bgp.Ipv4Address = ipv4Cidr ?? existing.Spec.Bgp.Ipv4Address;
                existing.Spec.Bgp.Ipv6Address = ipv6Cidr ?? existing.Spec.Bgp.Ipv6Address;
                existing.Spec.Bgp.AsNumber = asNumber ?? existing.Spec.Bgp.AsNumber;
                OperationResult updated = await client.UpdateAsync(existing, cancellationToken).ConfigureAwait(false);
                if (updated.Succeeded)
                {
                    Log.Updated(logger, nodeName, ipv4Cidr ?? ipv6Cidr ?? "");
                    return (Api.Node)updated.Resource!;
                }
            }

            if (attempt >= 5)
            {
                throw new InvalidOperationException($"could not register Node({nodeName}): it kept changing underneath (another calico-node with the same NODENAME?)");
            }
        }
    }

    /// <summary>Upstream writes /var/lib/calico/nodename so the CNI plugin uses the same name.</summary>
    public static void WriteNodenameFile(string stateDir, string nodeName)
    {
        Directory.CreateDirectory(stateDir);
        string path = Path.Combine(stateDir, "nodename");
        string temp = path + ".tmp";
        File.WriteAllText(temp, nodeName);
        File.Move(temp, path, overwrite: true);
    }

    private static partial class Log
    {
        [LoggerMessage(10, LogLevel.Information, "Created Node({Name}) with IPv4 address {Address}")]
        public static partial void Created(ILogger logger, string name, string address);

        [LoggerMessage(11, LogLevel.Information, "Updated Node({Name}) IPv4 address to {Address}")]
        public static partial void Updated(ILogger logger, string name, string address);
    }
}
