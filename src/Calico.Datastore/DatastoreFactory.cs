using Calico.Datastore.Embedded;
using Calico.Datastore.Etcd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Datastore;

/// <summary>Validates <see cref="DatastoreOptions"/> and opens the chosen backend.</summary>
public static class DatastoreFactory
{
    /// <exception cref="DatastoreConfigurationException">An option is invalid; the message names it.</exception>
    public static IKeyValueStore Open(DatastoreOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        loggerFactory ??= NullLoggerFactory.Instance;
        switch (options.Type)
        {
            case DatastoreType.Etcdv3:
                EtcdSettings settings = EtcdSettings.Validate(options);
                return new EtcdKeyValueStore(settings, loggerFactory.CreateLogger<EtcdKeyValueStore>());
            case DatastoreType.Embedded:
                ValidateEmbedded(options);
                return new EmbeddedKeyValueStore(
                    options.EmbeddedPath,
                    options.EmbeddedHistoryRevisions,
                    logger: loggerFactory.CreateLogger<EmbeddedKeyValueStore>(),
                    createIfMissing: options.EmbeddedCreate);
            default:
                throw new DatastoreConfigurationException("DATASTORE_TYPE", options.Type.ToString(), "expected etcdv3 or embedded");
        }
    }

    /// <summary>The setting operators write (calicoctl.cfg <c>datastorePath</c>, env <c>CALICO_DATASTORE_PATH</c>).</summary>
    public const string EmbeddedPathSetting = "datastorePath";

    private static void ValidateEmbedded(DatastoreOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.EmbeddedPath) || !Path.IsPathFullyQualified(options.EmbeddedPath))
        {
            throw new DatastoreConfigurationException(EmbeddedPathSetting, options.EmbeddedPath, "must be an absolute file path");
        }

        if (options.EmbeddedPath.EndsWith('/') || Directory.Exists(options.EmbeddedPath))
        {
            throw new DatastoreConfigurationException(EmbeddedPathSetting, options.EmbeddedPath, "must name a file, not a directory");
        }

        // Never create a store by accident: a mistyped path would otherwise be a new, empty, silently used store.
        string? directory = Path.GetDirectoryName(options.EmbeddedPath);
        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory))
        {
            throw new DatastoreConfigurationException(EmbeddedPathSetting, options.EmbeddedPath, $"directory {directory} does not exist");
        }

        if (!options.EmbeddedCreate && !File.Exists(options.EmbeddedPath))
        {
            throw new DatastoreConfigurationException(EmbeddedPathSetting, options.EmbeddedPath,
                "no embedded datastore at this path (it is created by calico-node or calico-lab, never by a client): check the path");
        }

        if (options.EmbeddedHistoryRevisions < 1)
        {
            throw new DatastoreConfigurationException(
                nameof(DatastoreOptions.EmbeddedHistoryRevisions),
                options.EmbeddedHistoryRevisions.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "must be at least 1");
        }
    }
}
