using System.Globalization;
using System.Net;

namespace Calico.Ipam;

/// <summary>
/// The arithmetic of upstream's <c>calicoctl ipam split</c> (calicoctl/commands/ipam/split.go <c>splitCIDR</c>): a pool
/// CIDR cut into 2^k equal children, in address order, named <c>split-&lt;pool&gt;-&lt;i&gt;</c>. Pure; every refusal is
/// an <see cref="IpamException"/> with upstream's wording, plus one check upstream only meets half-way through (a child
/// smaller than the pool's block size would fail pool validation after the parent is already disabled).
/// </summary>
public static class PoolSplit
{
    /// <summary>Upstream truncates a long parent name so the child's name stays within 253 characters.</summary>
    private const int MaxNameLength = 253;

    /// <summary>The child CIDRs of <paramref name="cidr"/> cut into <paramref name="parts"/> pieces.</summary>
    public static IReadOnlyList<IPNetwork> Plan(IPNetwork cidr, int blockSize, int parts)
    {
        if (parts < 2 || (parts & (parts - 1)) != 0)
        {
            throw new IpamException("number to split CIDR into is not a valid power of 2: " + parts.ToString(CultureInfo.InvariantCulture));
        }

        int power = System.Numerics.BitOperations.Log2((uint)parts);
        int bits = IpMath.Bits(cidr.BaseAddress);
        string text = IpMath.Format(cidr);
        if (cidr.PrefixLength + power > bits)
        {
            throw new IpamException($"the CIDR {text} is not large enough to be split into {parts} parts");
        }

        int childPrefix = cidr.PrefixLength + power;
        if (childPrefix > blockSize)
        {
            throw new IpamException(
                $"the CIDR {text} cannot be split into {parts} parts: each part would be a /{childPrefix}, smaller than the pool's blockSize {blockSize} " +
                "(IP pool size is too small for use with Calico IPAM. It must be equal to or greater than the block size.)");
        }

        bool v6 = IpMath.IsV6(cidr.BaseAddress);
        UInt128 start = IpMath.ToUInt128(IpMath.Containing(cidr.BaseAddress, cidr.PrefixLength).BaseAddress);
        int childHostBits = bits - childPrefix;
        var children = new List<IPNetwork>(parts);
        for (int i = 0; i < parts; i++)
        {
            UInt128 offset = childHostBits >= 128 ? UInt128.Zero : (UInt128)(uint)i << childHostBits;
            children.Add(new IPNetwork(IpMath.FromUInt128(start + offset, v6), childPrefix));
        }

        return children;
    }

    /// <summary>Upstream's child name: <c>split-&lt;pool&gt;-&lt;i&gt;</c>, the pool name cut to 245 characters when too long.</summary>
    public static string ChildName(string poolName, int index)
    {
        ArgumentNullException.ThrowIfNull(poolName);
        string i = index.ToString(CultureInfo.InvariantCulture);
        string name = "split-" + poolName + "-" + i;
        return name.Length > MaxNameLength ? "split-" + poolName[..245] + "-" + i : name;
    }
}
