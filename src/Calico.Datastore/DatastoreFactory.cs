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
                    logger: loggerFactory.CreateLogger<EmbeddedKeyValueStore>());
            default:
                throw new DatastoreConfigurationException("DATASTORE_TYPE", options.Type.ToString(), "expected etcdv3 or embedded");
        }
    }

    private static void ValidateEmbedded(DatastoreOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.EmbeddedPath) || !Path.IsPathFullyQualified(options.EmbeddedPath))
        {
            throw new DatastoreConfigurationException(nameof(DatastoreOptions.EmbeddedPath), options.EmbeddedPath, "must be an absolute file path");
        }

        if (options.EmbeddedPath.EndsWith('/') || Directory.Exists(options.EmbeddedPath))
        {
            throw new DatastoreConfigurationException(nameof(DatastoreOptions.EmbeddedPath), options.EmbeddedPath, "must name a file, not a directory");
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
