using Calico.Api;
using Calico.Client;
using Calico.Ctl.Migration;
using Calico.Datastore;

namespace Calico.Ctl.Commands;

/// <summary>
/// The I/O of <c>calicoctl datastore migrate</c>: reads and writes the datastore; the file format is
/// <see cref="MigrationFile"/> (pure). Export and the target's checks are read-only; import writes only after the whole
/// file has been decoded and validated, and every write is create-or-overwrite, so an interrupted import re-runs.
/// </summary>
internal sealed partial class DatastoreMigrateRunner(CtlContext context, string? configPath)
{
    /// <summary>The import flag that allows a target which already holds data.</summary>
    public const string AllowNonEmptyFlag = "--allow-non-empty";

    public async Task<int> SetLockedAsync(bool locked, CancellationToken cancellationToken)
    {
        var client = context.OpenClient(configPath);
        try
        {
            await DatastoreLock.SetLockedAsync(client, locked, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            throw new CtlException(e.Message);
        }

        await context.Out.WriteAsync(locked ? "Datastore locked.\n" : "Datastore unlocked.\n").ConfigureAwait(false);
        return 0;
    }

    public async Task<int> ExportAsync(CancellationToken cancellationToken)
    {
        var client = context.OpenClient(configPath);
        if (!await DatastoreLock.IsLockedAsync(client, cancellationToken).ConfigureAwait(false))
        {
            throw new CtlException(DatastoreLock.NotLockedMessage);
        }

        var lists = new List<(ResourceKind Kind, IReadOnlyList<Resource> Items)>();
        foreach (var kind in MigrationFile.KindOrder)
        {
            var (items, _) = await client.ListAsync(kind, null, cancellationToken).ConfigureAwait(false);
            lists.Add((kind, items));
        }

        var groups = ExportFilter.WithoutDerived(lists);
        if (await client.GetAsync(ResourceKinds.ClusterInformation, null, "default", cancellationToken).ConfigureAwait(false) is not ClusterInformation info)
        {
            throw new CtlException("cannot export: ClusterInformation \"default\" does not exist");
        }

        var ipam = await ReadIpamAsync(client.Store, cancellationToken).ConfigureAwait(false);
        await context.Out.WriteAsync(MigrationFile.Encode(groups, info, ipam)).ConfigureAwait(false);
        return 0;
    }

    /// <summary>Every IPAM key as stored; a key under the IPAM root that is none of upstream's four kinds is named on stderr and left out.</summary>
    private async Task<IpamDump> ReadIpamAsync(IKeyValueStore store, CancellationToken cancellationToken)
    {
        var list = await store.ListAsync(ResourceKeys.IpamRoot, cancellationToken).ConfigureAwait(false);
        var affinities = new List<IpamRecord>();
        var blocks = new List<IpamRecord>();
        var handles = new List<IpamRecord>();
        IpamRecord? config = null;
        foreach (var kv in list.Items)
        {
            var record = new IpamRecord(kv.Key, kv.Value);
            if (ResourceKeys.TryParseIpamBlock(kv.Key, out _))
            {
                blocks.Add(record);
            }
            else if (ResourceKeys.TryParseIpamAffinity(kv.Key, out _, out _))
            {
                affinities.Add(record);
            }
            else if (kv.Key.StartsWith(ResourceKeys.IpamHandlePrefix, StringComparison.Ordinal))
            {
                handles.Add(record);
            }
            else if (kv.Key == ResourceKeys.IpamConfig)
            {
                config = record;
            }
            else
            {
                await context.Error.WriteLineAsync($"warning: {kv.Key} is not an IPAM block, affinity, handle or configuration: not exported").ConfigureAwait(false);
            }
        }

        return new IpamDump(affinities, blocks, handles, config);
    }
}
