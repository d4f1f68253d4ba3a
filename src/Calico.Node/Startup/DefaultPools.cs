using System.Net;
using System.Net.NetworkInformation;
using System.Security.Cryptography;
using Calico.Api;
using Calico.Client;
using Microsoft.Extensions.Logging;

namespace Calico.Node.Startup;

/// <summary>
/// Upstream's default pools at start-up: for each family the plan asks for, when no pool of that family exists
/// (disabled ones count), create <c>default-ipv4-ippool</c> / <c>default-ipv6-ippool</c>. Nodes starting at once may
/// all see no pool: the fixed name makes the creates race on one key, and the losers' AlreadyExists is success.
/// The IPv6 pool is created only where IPv6 is supported (<c>FELIX_IPV6SUPPORT</c> not false and the kernel has
/// IPv6), as upstream's <c>ipv6Supported</c>.
/// </summary>
internal static partial class DefaultPools
{
    /// <summary>The host's addresses (the IPv4 CIDR choice) and whether the kernel has IPv6; tests replace them.</summary>
    internal sealed record Host(Func<IReadOnlyList<IPAddress>> Addresses, Func<bool> KernelHasIpv6, Action<Span<byte>> Random)
    {
        public static Host Real { get; } = new(ReadAddresses, () => Directory.Exists("/proc/sys/net/ipv6"), RandomNumberGenerator.Fill);
    }

    /// <summary>The pools created (empty when none was needed).</summary>
    public static async Task<IReadOnlyList<IPPool>> EnsureAsync(ResourceClient client, DefaultPoolPlan plan, Host host, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(host);
        if (plan.V4 is null && plan.V6 is null)
        {
            Log.Skipped(logger);
            return [];
        }

        var (pools, _) = await client.ListAsync(ResourceKinds.IPPool, null, cancellationToken).ConfigureAwait(false);
        bool v4Present = false, v6Present = false;
        foreach (IPPool pool in pools.OfType<IPPool>())
        {
            if (Cidr.TryParse(pool.Spec.Cidr, out IPNetwork network))
            {
                v4Present |= network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
                v6Present |= network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
            }
        }

        var created = new List<IPPool>();
        if (plan.V4 is { } v4 && !v4Present)
        {
            string cidr = v4.Cidr ?? DefaultPoolPlan.ChooseIpv4Cidr(host.Addresses());
            await CreateAsync(client, v4.ToIPPool(cidr), created, logger, cancellationToken).ConfigureAwait(false);
        }

        if (plan.V6 is { } v6 && !v6Present)
        {
            if (plan.Ipv6Support && host.KernelHasIpv6())
            {
                string cidr = v6.Cidr ?? DefaultPoolPlan.RandomUlaPrefix(host.Random);
                await CreateAsync(client, v6.ToIPPool(cidr), created, logger, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                Log.NoIpv6(logger);
            }
        }

        return created;
    }

    private static async Task CreateAsync(ResourceClient client, IPPool pool, List<IPPool> created, ILogger logger, CancellationToken cancellationToken)
    {
        OperationResult result;
        try
        {
            result = await client.CreateAsync(pool, cancellationToken).ConfigureAwait(false);
        }
        catch (ValidationException)
        {
            if (!await FamilyPresentAsync(client, pool, cancellationToken).ConfigureAwait(false))
            {
                throw;
            }

            // A pool of the family (overlapping ours) was created between our list and our create: the node uses it.
            Log.Raced(logger, pool.Metadata.Name!);
            return;
        }

        if (result.Succeeded)
        {
            var spec = pool.Spec;
            Log.Created(logger, pool.Metadata.Name!, spec.Cidr, spec.BlockSize ?? 0, spec.IpipMode ?? "", spec.VxlanMode ?? "", spec.NatOutgoing == true, spec.NodeSelector ?? "", spec.DisableBGPExport == true);
            created.Add((IPPool)result.Resource!);
        }
        else if (result.Status == OperationStatus.AlreadyExists)
        {
            // Another node created it between our list and our create.
            Log.Raced(logger, pool.Metadata.Name!);
        }
        else
        {
            throw new InvalidOperationException($"could not create the default pool {pool.Metadata.Name} ({pool.Spec.Cidr}): {result.Message}");
        }
    }

    private static async Task<bool> FamilyPresentAsync(ResourceClient client, IPPool pool, CancellationToken cancellationToken)
    {
        var family = IPNetwork.Parse(pool.Spec.Cidr).BaseAddress.AddressFamily;
        var (pools, _) = await client.ListAsync(ResourceKinds.IPPool, null, cancellationToken).ConfigureAwait(false);
        return pools.OfType<IPPool>().Any(p => Cidr.TryParse(p.Spec.Cidr, out IPNetwork n) && n.BaseAddress.AddressFamily == family);
    }

    private static List<IPAddress> ReadAddresses()
    {
        var addresses = new List<IPAddress>();
        foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            foreach (UnicastIPAddressInformation unicast in nic.GetIPProperties().UnicastAddresses)
            {
                addresses.Add(unicast.Address);
            }
        }

        return addresses;
    }

    private static partial class Log
    {
        [LoggerMessage(12, LogLevel.Information, "Created default pool {Name} ({Cidr}): blockSize {BlockSize}, ipipMode {Ipip}, vxlanMode {Vxlan}, natOutgoing {Nat}, nodeSelector '{Selector}', disableBGPExport {NoExport}")]
        public static partial void Created(ILogger logger, string name, string cidr, int blockSize, string ipip, string vxlan, bool nat, string selector, bool noExport);

        [LoggerMessage(13, LogLevel.Information, "Default pool {Name} was created by another node meanwhile")]
        public static partial void Raced(ILogger logger, string name);

        [LoggerMessage(14, LogLevel.Information, "No default IP pools (NO_DEFAULT_POOLS=true, or both pool CIDRs none)")]
        public static partial void Skipped(ILogger logger);

        [LoggerMessage(15, LogLevel.Information, "No default IPv6 pool: IPv6 is not supported here (FELIX_IPV6SUPPORT=false or no IPv6 in the kernel)")]
        public static partial void NoIpv6(ILogger logger);
    }
}
