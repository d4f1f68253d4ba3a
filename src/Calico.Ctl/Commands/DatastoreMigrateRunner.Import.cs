using System.Globalization;
using Calico.Api;
using Calico.Client;
using Calico.Ctl.Migration;
using Calico.Datastore;

namespace Calico.Ctl.Commands;

internal sealed partial class DatastoreMigrateRunner
{
    private static readonly string[] s_builtInTiers = ["default", "kube-admin", "kube-baseline"];

    /// <summary>
    /// Upstream's import: refuses a target that already holds Calico data (unless <see cref="AllowNonEmptyFlag"/>),
    /// locks it (ClusterInformation with the source's clusterGUID and <c>datastoreReady: false</c>, written first, so a
    /// re-run recognises its own half-done import and resumes), applies the resources in export order, then writes
    /// every IPAM record byte for byte. The target stays locked until <c>datastore migrate unlock</c>.
    /// </summary>
    public async Task<int> ImportAsync(string? filename, bool allowNonEmpty, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(filename))
        {
            throw new CtlException("calicoctl datastore migrate import: required flag -f/--filename is missing (the file written by `calicoctl datastore migrate export`, or - for stdin)");
        }

        string text;
        if (filename == "-")
        {
            text = await context.In.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (!File.Exists(filename))
        {
            throw new CtlException($"error while reading migration file: open {filename}: no such file or directory");
        }
        else
        {
            text = await File.ReadAllTextAsync(filename, cancellationToken).ConfigureAwait(false);
        }

        MigrationData data = MigrationFile.Decode(text, filename == "-" ? "stdin" : filename);

        await using var store = OpenTarget();
        var client = new ResourceClient(store, context.Time);
        await CheckTargetAsync(client, data, allowNonEmpty, cancellationToken).ConfigureAwait(false);
        await LockWithSourceIdentityAsync(client, data.ClusterInformation, cancellationToken).ConfigureAwait(false);

        int applied = 0;
        foreach (var resource in data.Resources)
        {
            await ApplyAsync(client, resource, cancellationToken).ConfigureAwait(false);
            applied++;
        }

        await context.Out.WriteAsync($"Successfully applied {applied.ToString(CultureInfo.InvariantCulture)} resource(s)\n").ConfigureAwait(false);
        await context.Out.WriteAsync("Importing IPAM resources\n").ConfigureAwait(false);
        int written = 0;
        foreach (var record in data.Ipam.All)
        {
            await PutIpamAsync(store, record, cancellationToken).ConfigureAwait(false);
            written++;
        }

        await context.Out.WriteAsync($"Successfully applied {written.ToString(CultureInfo.InvariantCulture)} IPAM resource(s)\n").ConfigureAwait(false);
        await context.Out.WriteAsync("Datastore information successfully imported. Please refer to the datastore migration documentation for next steps.\n" +
            "The datastore is locked: run `calicoctl datastore migrate unlock` against it once calico-node and the CNI plugin point at it.\n").ConfigureAwait(false);
        return 0;
    }

    /// <summary>The target, as <c>-c</c>/the environment name it; unlike every other command, import may create a new
    /// embedded store (its directory must exist): filling a new datastore is its job.</summary>
    private IKeyValueStore OpenTarget()
    {
        try
        {
            var options = CalicoApiConfig.Load(configPath, context.Environment);
            options.EmbeddedCreate = true;
            return DatastoreFactory.Open(options);
        }
        catch (Exception e) when (e is ClientConfigException or ArgumentException or DatastoreUnavailableException or DatastoreConfigurationException)
        {
            throw new CtlException("Failed to create Calico API client: " + e.Message);
        }
    }

    /// <summary>
    /// Empty means: nothing but ClusterInformation and the three built-in tiers (what any initialised datastore has).
    /// A target locked by an earlier run of this import (same clusterGUID, datastoreReady false) is resumed.
    /// </summary>
    private async Task CheckTargetAsync(ResourceClient client, MigrationData data, bool allowNonEmpty, CancellationToken cancellationToken)
    {
        var current = await client.GetAsync(ResourceKinds.ClusterInformation, null, "default", cancellationToken).ConfigureAwait(false) as ClusterInformation;
        if (current is { Spec.DatastoreReady: false } && current.Spec.ClusterGUID == data.ClusterInformation.Spec.ClusterGUID)
        {
            await context.Out.WriteAsync($"Resuming an import of cluster {current.Spec.ClusterGUID}: the datastore is locked with its clusterGUID\n").ConfigureAwait(false);
            return;
        }

        if (allowNonEmpty)
        {
            return;
        }

        var list = await client.Store.ListAsync("/calico/", cancellationToken).ConfigureAwait(false);
        foreach (var kv in list.Items)
        {
            if (ResourceClient.TryParseKey(kv.Key, out var kind, out _, out var name))
            {
                if (kind == ResourceKinds.ClusterInformation || (kind == ResourceKinds.Tier && s_builtInTiers.Contains(name)))
                {
                    continue;
                }

                throw NotEmpty($"found existing Calico {kind.Kind} resource ({kv.Key})");
            }

            if (kv.Key.StartsWith(ResourceKeys.IpamRoot, StringComparison.Ordinal))
            {
                throw NotEmpty($"found existing IPAM resources ({kv.Key})");
            }

            if (kv.Key.StartsWith("/calico/resources/", StringComparison.Ordinal))
            {
                throw NotEmpty($"found existing resource {kv.Key}");
            }
        }
    }

    private static CtlException NotEmpty(string what) =>
        new($"datastore already has Calico resources: {what}. Import into an empty datastore, or pass {AllowNonEmptyFlag} to import over what it holds (imported objects replace those of the same name)");

    /// <summary>ClusterInformation first: the source's identity, and locked, before any other write.</summary>
    private static async Task LockWithSourceIdentityAsync(ResourceClient client, ClusterInformation source, CancellationToken cancellationToken)
    {
        for (int attempt = 0; attempt < 10; attempt++)
        {
            var current = await client.GetAsync(ResourceKinds.ClusterInformation, null, "default", cancellationToken).ConfigureAwait(false) as ClusterInformation;
            var info = current ?? new ClusterInformation { Metadata = { Name = "default" } };
            info.Spec.ClusterGUID = source.Spec.ClusterGUID;
            info.Spec.ClusterType = source.Spec.ClusterType;
            info.Spec.CalicoVersion = source.Spec.CalicoVersion;
            info.Spec.Variant = source.Spec.Variant;
            info.Spec.DatastoreReady = false;
            var result = current is null
                ? await client.CreateAsync(info, cancellationToken).ConfigureAwait(false)
                : await client.UpdateAsync(info, cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                return;
            }

            if (result.Status is not (OperationStatus.Conflict or OperationStatus.AlreadyExists))
            {
                throw new CtlException("failed to update cluster information: " + result.Message);
            }
        }

        throw new CtlException("failed to update cluster information: ClusterInformation(default) kept changing");
    }

    /// <summary>Create, or overwrite what is there (upstream's import runs <c>calicoctl apply</c>).</summary>
    private static async Task ApplyAsync(ResourceClient client, Resource resource, CancellationToken cancellationToken)
    {
        var kind = ResourceKinds.Of(resource);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            var r = MigrationFile.Exported(resource);
            var result = await client.CreateAsync(r, cancellationToken).ConfigureAwait(false);
            if (result.Status == OperationStatus.AlreadyExists)
            {
                var current = await client.GetAsync(kind, r.Metadata.Namespace, r.Metadata.Name!, cancellationToken).ConfigureAwait(false);
                if (current is null)
                {
                    continue;
                }

                r.Metadata.ResourceVersion = current.Metadata.ResourceVersion;
                result = await client.UpdateAsync(r, cancellationToken).ConfigureAwait(false);
            }

            if (result.Succeeded)
            {
                return;
            }

            if (result.Status is not (OperationStatus.Conflict or OperationStatus.NotFound or OperationStatus.AlreadyExists))
            {
                throw new CtlException($"failed to import v3 resources: {ResourceIdentity.Describe(resource)}: {result.Message}");
            }
        }

        throw new CtlException($"failed to import v3 resources: {ResourceIdentity.Describe(resource)} kept changing while being written");
    }

    /// <summary>Writes the exact bytes exported: created when absent, left alone when equal, else replaced (compare-and-swap).</summary>
    private static async Task PutIpamAsync(IKeyValueStore store, IpamRecord record, CancellationToken cancellationToken)
    {
        for (int attempt = 0; attempt < 10; attempt++)
        {
            var current = await store.GetAsync(record.Key, cancellationToken).ConfigureAwait(false);
            if (current is not null && current.Value.AsSpan().SequenceEqual(record.Value))
            {
                return;
            }

            var result = current is null
                ? await store.CreateAsync(record.Key, record.Value, cancellationToken).ConfigureAwait(false)
                : await store.UpdateAsync(record.Key, record.Value, current.Revision, cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                return;
            }
        }

        throw new CtlException($"failed to import IPAM resources: {record.Key} kept changing while being written");
    }
}
