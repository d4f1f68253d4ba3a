using System.Globalization;
using Calico.Api;
using Calico.Client;
using Calico.Ipam;

namespace Calico.Ctl.Commands;

/// <summary>
/// <c>calicoctl ipam split [--cidr=&lt;CIDR&gt; | --name=&lt;pool&gt;] &lt;number&gt;</c> as upstream's split.go: the datastore must
/// be locked; the pool is found by CIDR or name; the number must be a power of two that the pool's CIDR (and, ours,
/// its block size) allows; then the pool is replaced by <c>split-&lt;pool&gt;-&lt;i&gt;</c> pools (see
/// <see cref="IpamClient.SplitPoolAsync"/>). Every check runs before the first write (upstream disables the pool first).
/// </summary>
internal sealed partial class IpamRunner
{
    public async Task<int> SplitAsync(string? cidrText, string? poolName, string number, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(cidrText) && string.IsNullOrEmpty(poolName))
        {
            throw new CtlException("no name or CIDR provided. Provide a name or CIDR to denote the IP pool to split");
        }

        System.Net.IPNetwork? cidr = null;
        if (!string.IsNullOrEmpty(cidrText))
        {
            cidr = Cidr.TryParse(cidrText, out var parsed)
                ? parsed
                : throw new CtlException($"Invalid value for --cidr: \"{cidrText}\" is not a CIDR (e.g. 10.0.0.0/16)");
        }

        if (!int.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int parts))
        {
            throw new CtlException($"error reading number to split IP pools into. {number} is not a valid number");
        }

        if (parts < 2 || (parts & (parts - 1)) != 0)
        {
            throw new CtlException("number to split CIDR into is not a valid power of 2: " + parts.ToString(CultureInfo.InvariantCulture));
        }

        var resources = context.OpenClient(configPath);
        if (!await DatastoreLock.IsLockedAsync(resources, ct).ConfigureAwait(false))
        {
            throw new CtlException(DatastoreLock.NotLockedMessage);
        }

        var pool = await FindPoolAsync(resources, cidr, cidrText, poolName, ct).ConfigureAwait(false);
        PoolSplitResult result;
        try
        {
            result = await Open().SplitPoolAsync(pool.Metadata.Name!, parts, ct).ConfigureAwait(false);
        }
        catch (IpamException e)
        {
            throw new CtlException($"error splitting the CIDR {pool.Spec.Cidr} into {parts} CIDRs: {e.Message}");
        }

        Out.WriteLine($"IP Pool {result.PoolName} was successfully split into {result.Children.Count} smaller pools.");
        foreach (var (name, childCidr) in result.Children)
        {
            Out.WriteLine($"Created {name} with CIDR {childCidr}.");
        }

        Out.WriteLine("Please refer to the documentation for final steps.");
        return 0;
    }

    private static async Task<IPPool> FindPoolAsync(ResourceClient resources, System.Net.IPNetwork? cidr, string? cidrText, string? poolName, CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(poolName))
        {
            if (await resources.GetAsync(ResourceKinds.IPPool, null, poolName, ct).ConfigureAwait(false) is not IPPool named)
            {
                throw new CtlException($"unable to find IP pool with name {poolName}: resource does not exist: IPPool({poolName})");
            }

            if (cidr is { } wanted && !(Cidr.TryParse(named.Spec.Cidr, out var actual) && actual.Equals(wanted)))
            {
                throw new CtlException($"Invalid value for --cidr: \"{cidrText}\" is not the CIDR of IP pool {poolName} ({named.Spec.Cidr})");
            }

            return named;
        }

        var (pools, _) = await resources.ListAsync(ResourceKinds.IPPool, null, ct).ConfigureAwait(false);
        foreach (var r in pools)
        {
            if (r is IPPool p && Cidr.TryParse(p.Spec.Cidr, out var c) && c.Equals(cidr))
            {
                return p;
            }
        }

        throw new CtlException($"unable to find IP pool covering the specified CIDR {cidrText}");
    }
}
