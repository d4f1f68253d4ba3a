using System.Net;
using Calico.Api;
using Calico.Selectors;

namespace Calico.Ipam;

/// <summary>An IPPool as IPAM needs it: defaults applied (blockSize 26/122, nodeSelector all(), allowedUses Workload+Tunnel).</summary>
public sealed record Pool(string Name, IPNetwork Cidr, int BlockSize, bool Disabled, string NodeSelector, IReadOnlyList<string> AllowedUses)
{
    public bool IsV6 => IpMath.IsV6(Cidr.BaseAddress);

    /// <summary>assignmentMode Manual: only used when requested by name or CIDR.</summary>
    public bool Manual { get; init; }

    public string CidrText => IpMath.Format(Cidr);

    /// <summary>Null when the pool's CIDR cannot be parsed (such a pool is ignored).</summary>
    public static Pool? From(IPPool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        if (!Api.Cidr.TryParse(pool.Spec.Cidr, out var cidr))
        {
            return null;
        }

        bool v6 = IpMath.IsV6(cidr.BaseAddress);
        int blockSize = pool.Spec.BlockSize ?? (v6 ? 122 : 26);
        var uses = pool.Spec.AllowedUses is { Count: > 0 } u ? (IReadOnlyList<string>)[.. u] : ["Workload", "Tunnel"];
        string selector = string.IsNullOrWhiteSpace(pool.Spec.NodeSelector) ? "all()" : pool.Spec.NodeSelector;
        return new Pool(pool.Metadata.Name ?? "", cidr, blockSize, pool.Spec.Disabled == true, selector, uses)
        {
            Manual = string.Equals(pool.Spec.AssignmentMode, "Manual", StringComparison.Ordinal),
        };
    }

    public bool Allows(string use)
    {
        foreach (var u in AllowedUses)
        {
            if (string.Equals(u, use, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the pool's nodeSelector selects a node with these labels (an unparsable selector selects nothing).</summary>
    public bool SelectsNode(IReadOnlyDictionary<string, string> labels) =>
        Selector.TryParse(NodeSelector, out var selector, out _) && selector.Matches(labels);

    /// <summary>The block of this pool that holds <paramref name="address"/>.</summary>
    public IPNetwork BlockFor(IPAddress address) => IpMath.Containing(address, BlockSize);

    /// <summary>
    /// Every block CIDR of the pool, starting at an index derived from the host name (FNV-1 32, as upstream seeds its
    /// generator) and wrapping, so hosts spread over the pool while one host always walks the same order.
    /// </summary>
    public IEnumerable<IPNetwork> BlocksFrom(string hostname)
    {
        int hostBits = (IsV6 ? 128 : 32) - BlockSize;
        int poolHostBits = (IsV6 ? 128 : 32) - Cidr.PrefixLength;
        if (poolHostBits < hostBits)
        {
            yield break;
        }

        int countBits = poolHostBits - hostBits;
        UInt128 numBlocks = countBits >= 128 ? UInt128.MaxValue : UInt128.One << countBits;
        UInt128 start = BlockSize == (IsV6 ? 128 : 32) ? UInt128.Zero : Fnv1(hostname) % numBlocks;
        UInt128 baseValue = IpMath.ToUInt128(Cidr.BaseAddress);
        UInt128 i = start;
        for (UInt128 n = 0; n < numBlocks; n++)
        {
            yield return new IPNetwork(IpMath.FromUInt128(baseValue + (i << hostBits), IsV6), BlockSize);
            i = i + 1 == numBlocks ? UInt128.Zero : i + 1;
        }
    }

    private static uint Fnv1(string text)
    {
        uint hash = 2166136261;
        foreach (byte b in System.Text.Encoding.UTF8.GetBytes(text))
        {
            hash *= 16777619;
            hash ^= b;
        }

        return hash;
    }
}
