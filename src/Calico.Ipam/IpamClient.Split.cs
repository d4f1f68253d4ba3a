using System.Globalization;
using System.Net;
using Calico.Api;
using Calico.Client;

namespace Calico.Ipam;

/// <summary>The outcome of <see cref="IpamClient.SplitPoolAsync"/>: the pool that was split and the pools now covering it.</summary>
public sealed record PoolSplitResult(string PoolName, IReadOnlyList<(string Name, string Cidr)> Children);

/// <summary>
/// <c>calicoctl ipam split</c>'s datastore side, as upstream's <c>SplitPool</c> with clientv3's <c>UnsafeCreate</c> and
/// <c>UnsafeDelete</c>: the pool is disabled, its children are created (validated, but without the overlap check: they
/// overlap the disabled parent until it goes), then the parent's key is deleted without releasing anything. Blocks,
/// affinities, handles and allocations are left as they are: with the same block size every block of the parent lies
/// inside exactly one child, so every allocation keeps its block and every node its affine blocks.
/// Each step is idempotent: a run stopped half-way is completed by running the same split again.
/// </summary>
public sealed partial class IpamClient
{
    /// <summary>
    /// Splits the pool <paramref name="poolName"/> into <paramref name="parts"/> pools. Everything is checked before the
    /// first write; <see cref="IpamException"/> names what is wrong. The caller checks the datastore lock.
    /// </summary>
    public async Task<PoolSplitResult> SplitPoolAsync(string poolName, int parts, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(poolName);
        if (await _resources.GetAsync(ResourceKinds.IPPool, null, poolName, cancellationToken).ConfigureAwait(false) is not IPPool parent)
        {
            throw new IpamException($"unable to find IP pool {poolName}");
        }

        var pool = Pool.From(parent) ?? throw new IpamException($"IP pool {poolName} has an invalid CIDR: {parent.Spec.Cidr}");
        var cidrs = PoolSplit.Plan(pool.Cidr, pool.BlockSize, parts);
        var children = new List<(string Name, string Cidr)>(cidrs.Count);
        for (int i = 0; i < cidrs.Count; i++)
        {
            children.Add((PoolSplit.ChildName(poolName, i), IpMath.Format(cidrs[i])));
        }

        foreach (var (name, cidr) in children)
        {
            // A pool already there under a child's name must be that child (a re-run), never something else.
            if (await _resources.GetAsync(ResourceKinds.IPPool, null, name, cancellationToken).ConfigureAwait(false) is IPPool existing
                && !SameCidr(existing.Spec.Cidr, cidr))
            {
                throw new IpamException($"cannot split IP pool {poolName}: IP pool {name} already exists with CIDR {existing.Spec.Cidr} (expected {cidr})");
            }
        }

        long revision = await DisableForSplitAsync(parent, cancellationToken).ConfigureAwait(false);
        foreach (var (name, cidr) in children)
        {
            await CreateSplitChildAsync(parent, name, cidr, cancellationToken).ConfigureAwait(false);
        }

        var deleted = await Store.DeleteAsync(ResourceIdentity.Key(ResourceKinds.IPPool, null, poolName), revision, cancellationToken).ConfigureAwait(false);
        if (deleted.Status is not (Datastore.WriteStatus.Ok or Datastore.WriteStatus.NotFound))
        {
            throw new IpamException($"error removing the IP pool that was split {poolName}: it changed while being split; run the split again");
        }

        InvalidateCache();
        return new PoolSplitResult(poolName, children);
    }

    private async Task<long> DisableForSplitAsync(IPPool parent, CancellationToken ct)
    {
        if (parent.Spec.Disabled == true)
        {
            return long.Parse(parent.Metadata.ResourceVersion!, CultureInfo.InvariantCulture);
        }

        var disabled = (IPPool)ResourceCodec.Clone(parent);
        disabled.Spec.Disabled = true;
        var result = await _resources.UpdateAsync(disabled, ct).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new IpamException($"error disabling IP pool {parent.Spec.Cidr}: {result.Message}");
        }

        return long.Parse(result.Resource!.Metadata.ResourceVersion!, CultureInfo.InvariantCulture);
    }

    /// <summary>Upstream's UnsafeCreate: a copy of the parent (labels, annotations, spec) with a new name and CIDR,
    /// enabled, validated as any pool, written without the overlap check.</summary>
    private async Task CreateSplitChildAsync(IPPool parent, string name, string cidr, CancellationToken ct)
    {
        var child = (IPPool)ResourceCodec.Clone(parent);
        child.Metadata.Name = name;
        child.Metadata.GenerateName = null;
        child.Metadata.ResourceVersion = null;
        child.Metadata.Generation = null;
        child.Metadata.SelfLink = null;
        child.Metadata.Uid = Guid.NewGuid().ToString();
        child.Metadata.CreationTimestamp = Time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        child.Spec.Cidr = cidr;
        child.Spec.Disabled = false;
        ResourceDefaults.Apply(child);
        ResourceValidator.Validate(child);

        var key = ResourceIdentity.Key(ResourceKinds.IPPool, null, name);
        var result = await Store.CreateAsync(key, ResourceCodec.ToStorageJson(child), ct).ConfigureAwait(false);
        if (result.Status == Datastore.WriteStatus.AlreadyExists
            && result.Current is { } current
            && ResourceClient.DecodeStored(ResourceKinds.IPPool, current) is IPPool existing
            && SameCidr(existing.Spec.Cidr, cidr))
        {
            return; // created by an earlier run of the same split
        }

        if (!result.Succeeded)
        {
            throw new IpamException($"error using unsafe create to make split pool with cidr {cidr}: {name} already exists");
        }
    }

    private static bool SameCidr(string? a, string b) =>
        Cidr.TryParse(a ?? "", out var x) && Cidr.TryParse(b, out var y) && x.Equals(y);
}
