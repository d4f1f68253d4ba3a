using System.Net;
using Calico.Api;
using Calico.Datastore;
using Calico.Ipam.Storage;

namespace Calico.Ipam;

/// <summary>Thin typed reads and CAS writes of the IPAM keys. Writes return <see cref="WriteResult"/>: a conflict is a value.</summary>
public sealed partial class IpamClient
{
    private sealed record Versioned<T>(T Value, long Revision);

    private async Task<Versioned<Block>?> ReadBlockAsync(IPNetwork cidr, CancellationToken ct)
    {
        var kv = await Store.GetAsync(ResourceKeys.IpamBlock(IpMath.Format(cidr)), ct).ConfigureAwait(false);
        return DecodeBlock(kv);
    }

    /// <summary>A block as stored (a read, or the current value a failed CAS returned); null when absent.</summary>
    private static Versioned<Block>? DecodeBlock(KeyValue? kv) =>
        kv is null ? null : new Versioned<Block>(new Block(IpamJson.DecodeBlock(kv.Value)), kv.Revision);

    private async Task<List<Versioned<Block>>> ListBlocksAsync(int version, CancellationToken ct)
    {
        var list = await Store.ListAsync(ResourceKeys.IpamBlockPrefix(version), ct).ConfigureAwait(false);
        var blocks = new List<Versioned<Block>>(list.Items.Count);
        foreach (var kv in list.Items)
        {
            blocks.Add(new Versioned<Block>(new Block(IpamJson.DecodeBlock(kv.Value)), kv.Revision));
        }

        return blocks;
    }

    private Task<WriteResult> CreateBlockAsync(Block block, CancellationToken ct) =>
        Store.CreateAsync(ResourceKeys.IpamBlock(block.Data.Cidr), IpamJson.Encode(block.Data), ct);

    /// <summary>Bumps the block's sequence number (as upstream's updateBlock) and writes it if unchanged since <paramref name="revision"/>.</summary>
    private Task<WriteResult> UpdateBlockAsync(Block block, long revision, CancellationToken ct)
    {
        block.Data.SequenceNumber++;
        return Store.UpdateAsync(ResourceKeys.IpamBlock(block.Data.Cidr), IpamJson.Encode(block.Data), RequireRevision(revision), ct);
    }

    private Task<WriteResult> DeleteBlockAsync(Block block, long revision, CancellationToken ct) =>
        Store.DeleteAsync(ResourceKeys.IpamBlock(block.Data.Cidr), RequireRevision(revision), ct);

    private async Task<Versioned<BlockAffinityData>?> ReadAffinityAsync(string host, IPNetwork cidr, CancellationToken ct)
    {
        var kv = await Store.GetAsync(ResourceKeys.IpamAffinity(host, IpMath.Format(cidr)), ct).ConfigureAwait(false);
        return kv is null ? null : new Versioned<BlockAffinityData>(IpamJson.DecodeAffinity(kv.Value), kv.Revision);
    }

    private Task<WriteResult> CreateAffinityAsync(string host, IPNetwork cidr, string state, CancellationToken ct) =>
        Store.CreateAsync(ResourceKeys.IpamAffinity(host, IpMath.Format(cidr)), IpamJson.Encode(new BlockAffinityData { State = state }), ct);

    private Task<WriteResult> UpdateAffinityAsync(string host, IPNetwork cidr, string state, long revision, CancellationToken ct) =>
        Store.UpdateAsync(ResourceKeys.IpamAffinity(host, IpMath.Format(cidr)), IpamJson.Encode(new BlockAffinityData { State = state }), RequireRevision(revision), ct);

    private Task<WriteResult> DeleteAffinityAsync(string host, IPNetwork cidr, long revision, CancellationToken ct) =>
        Store.DeleteAsync(ResourceKeys.IpamAffinity(host, IpMath.Format(cidr)), RequireRevision(revision), ct);

    private async Task<Versioned<IpamHandleData>?> ReadHandleAsync(string handleId, CancellationToken ct)
    {
        var kv = await Store.GetAsync(ResourceKeys.IpamHandle(handleId), ct).ConfigureAwait(false);
        return kv is null ? null : new Versioned<IpamHandleData>(IpamJson.DecodeHandle(kv.Value), kv.Revision);
    }

    /// <summary>The current IPAM configuration, or upstream's defaults when none is stored (never written on read).</summary>
    public async Task<IpamConfig> GetConfigAsync(CancellationToken cancellationToken)
    {
        var kv = await Store.GetAsync(ResourceKeys.IpamConfig, cancellationToken).ConfigureAwait(false);
        if (kv is null)
        {
            return new IpamConfig();
        }

        var data = IpamJson.DecodeConfig(kv.Value);
        return new IpamConfig
        {
            StrictAffinity = data.StrictAffinity,
            AutoAllocateBlocks = data.AutoAllocateBlocks,
            MaxBlocksPerHost = data.MaxBlocksPerHost,
            KubeVirtVMAddressPersistence = data.KubeVirtVMAddressPersistence,
            IpCooldownSeconds = data.IpCooldownSeconds,
        };
    }

    /// <summary>Writes the configuration (upstream SetIPAMConfig rules). Throws <see cref="IpamException"/> for an invalid combination.</summary>
    public async Task SetConfigAsync(IpamConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        var current = await GetConfigAsync(cancellationToken).ConfigureAwait(false);
        if (current == config)
        {
            return;
        }

        if (!config.StrictAffinity && !config.AutoAllocateBlocks)
        {
            throw new IpamException("Cannot disable 'StrictAffinity' and 'AutoAllocateBlocks' at the same time");
        }

        if (config.MaxBlocksPerHost > 0 && !config.StrictAffinity)
        {
            throw new IpamException("MaxBlocksPerHost requires StrictAffinity to be enabled");
        }

        if (config.MaxBlocksPerHost < 0 || config.IpCooldownSeconds is < 0 or > 1200)
        {
            throw new IpamException("maxBlocksPerHost must be >= 0 and ipCooldownSeconds in 0..1200");
        }

        var data = new IpamConfigData
        {
            StrictAffinity = config.StrictAffinity,
            AutoAllocateBlocks = config.AutoAllocateBlocks,
            MaxBlocksPerHost = config.MaxBlocksPerHost,
            KubeVirtVMAddressPersistence = config.KubeVirtVMAddressPersistence,
            IpCooldownSeconds = config.IpCooldownSeconds,
        };

        // Upstream applies (plain put): the last writer wins, which is what an operator's configure means.
        await Store.UpdateAsync(ResourceKeys.IpamConfig, IpamJson.Encode(data), 0, cancellationToken).ConfigureAwait(false);
        InvalidateCache();
    }

    /// <summary>Every IPPool (enabled or not) that has a valid CIDR.</summary>
    public async Task<IReadOnlyList<Pool>> ListPoolsAsync(CancellationToken cancellationToken)
    {
        var (items, _) = await _resources.ListAsync(ResourceKinds.IPPool, null, cancellationToken).ConfigureAwait(false);
        var pools = new List<Pool>(items.Count);
        foreach (var r in items)
        {
            if (r is IPPool p && Pool.From(p) is { } pool)
            {
                pools.Add(pool);
            }
        }

        return pools;
    }

    private async Task<Reservations> LoadReservationsAsync(CancellationToken ct)
    {
        var (items, _) = await _resources.ListAsync(ResourceKinds.IPReservation, null, ct).ConfigureAwait(false);
        var cidrs = new List<IPNetwork>();
        foreach (var r in items)
        {
            if (r is IPReservation { Spec.ReservedCIDRs: { } reserved })
            {
                foreach (var text in reserved)
                {
                    if (Cidr.TryParse(text, out var net))
                    {
                        cidrs.Add(net);
                    }
                    else if (Cidr.TryParseAddress(text, out var single))
                    {
                        cidrs.Add(new IPNetwork(single, IpMath.Bits(single)));
                    }
                }
            }
        }

        return cidrs.Count == 0 ? Reservations.None : new Reservations(cidrs);
    }

    /// <summary>The node's labels; a node without a Node resource has none (so only selectors like all() match).</summary>
    private async Task<IReadOnlyDictionary<string, string>> NodeLabelsAsync(string host, CancellationToken ct)
    {
        var node = await _resources.GetAsync(ResourceKinds.Node, null, host, ct).ConfigureAwait(false);
        return node?.Metadata.Labels ?? (IReadOnlyDictionary<string, string>)new Dictionary<string, string>();
    }

    private static long RequireRevision(long revision) =>
        revision > 0 ? revision : throw new InvalidOperationException("an IPAM CAS write needs the revision it read");
}
