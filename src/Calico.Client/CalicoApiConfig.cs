using Calico.Datastore;
using YamlDotNet.RepresentationModel;

namespace Calico.Client;

/// <summary>
/// Where the datastore is, as upstream's <c>CalicoAPIConfig</c>: the config file
/// (<c>/etc/calico/calicoctl.cfg</c> by default) overlaid by environment variables
/// (<c>DATASTORE_TYPE</c>, <c>ETCD_ENDPOINTS</c>, ... each also accepted with a <c>CALICO_</c> prefix).
/// With nothing configured the datastore is the embedded one at /var/lib/calico/calico.db
/// (upstream would pick Kubernetes, which this project does not have).
/// </summary>
public static class CalicoApiConfig
{
    public const string DefaultConfigPath = "/etc/calico/calicoctl.cfg";
    public const string DefaultEmbeddedPath = "/var/lib/calico/calico.db";

    private static readonly string[] s_knownSpecFields =
    [
        "datastoreType", "etcdEndpoints", "etcdDiscoverySrv", "etcdUsername", "etcdPassword", "etcdKeyFile",
        "etcdCertFile", "etcdCACertFile", "etcdKey", "etcdCert", "etcdCACert", "datastorePath",
        "kubeconfig", "k8sAPIEndpoint", "k8sKeyFile", "k8sCertFile", "k8sCAFile", "k8sAPIToken",
        "k8sInsecureSkipTLSVerify", "k8sClientQPS",
    ];

    /// <summary>
    /// Loads the configuration. A missing file at the default path is not an error (environment and defaults
    /// apply); a missing file named explicitly is.
    /// </summary>
    public static DatastoreOptions Load(string? configPath, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var path = configPath ?? DefaultConfigPath;
        string? pathSetting = null;
        if (File.Exists(path))
        {
            ReadFile(path, values);
            pathSetting = $"datastorePath (in {path})";
        }
        else if (configPath is not null && configPath != DefaultConfigPath)
        {
            throw new ClientConfigException($"config file '{configPath}' does not exist");
        }

        return FromEnvironment(values, environment, pathSetting);
    }

    /// <summary>The environment alone, as calico-node and Felix read it (they never read calicoctl.cfg).</summary>
    public static DatastoreOptions LoadFromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return FromEnvironment(new Dictionary<string, string>(StringComparer.Ordinal), environment, null);
    }

    private static DatastoreOptions FromEnvironment(Dictionary<string, string> values, Func<string, string?> environment, string? pathSetting)
    {
        // The setting an error about the embedded path names: the last of these that was set wins, as below.
        foreach (var variable in (string[])["DATASTORE_PATH", "CALICO_DATASTORE_PATH"])
        {
            if (!string.IsNullOrEmpty(environment(variable)))
            {
                pathSetting = variable;
            }
        }

        Overlay(values, environment, "datastoreType", "DATASTORE_TYPE");
        Overlay(values, environment, "etcdEndpoints", "ETCD_ENDPOINTS");
        Overlay(values, environment, "etcdKeyFile", "ETCD_KEY_FILE");
        Overlay(values, environment, "etcdCertFile", "ETCD_CERT_FILE");
        Overlay(values, environment, "etcdCACertFile", "ETCD_CA_CERT_FILE");
        Overlay(values, environment, "etcdUsername", "ETCD_USERNAME");
        Overlay(values, environment, "etcdPassword", "ETCD_PASSWORD");
        Overlay(values, environment, "datastorePath", "DATASTORE_PATH");
        var embeddedPath = environment("CALICO_DATASTORE_PATH");
        if (!string.IsNullOrEmpty(embeddedPath))
        {
            values["datastorePath"] = embeddedPath;
        }

        return ToOptions(values, pathSetting ?? "datastorePath");
    }

    /// <summary>
    /// Builds options from already-collected upstream field names (also used by the CNI network config).
    /// <paramref name="datastorePathSetting"/> is what an error about the embedded path calls it
    /// (<c>CALICO_DATASTORE_PATH</c>, the CNI config's <c>datastore_path</c>, ...).
    /// </summary>
    public static DatastoreOptions ToOptions(IReadOnlyDictionary<string, string> values, string datastorePathSetting = "datastorePath")
    {
        ArgumentNullException.ThrowIfNull(values);
        values.TryGetValue("etcdEndpoints", out var endpoints);
        values.TryGetValue("datastoreType", out var type);
        if (string.IsNullOrEmpty(type))
        {
            type = string.IsNullOrEmpty(endpoints) ? "embedded" : "etcdv3";
        }

        var options = new DatastoreOptions();
        switch (type.ToLowerInvariant())
        {
            case "etcdv3":
                options.Type = DatastoreType.Etcdv3;
                if (string.IsNullOrWhiteSpace(endpoints))
                {
                    throw new ClientConfigException("datastoreType is 'etcdv3' but no etcd endpoints are set: set etcdEndpoints in the config file or ETCD_ENDPOINTS");
                }

                options.EtcdEndpoints = [.. endpoints.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
                options.EtcdCaCertFile = Get(values, "etcdCACertFile");
                options.EtcdCertFile = Get(values, "etcdCertFile");
                options.EtcdKeyFile = Get(values, "etcdKeyFile");
                break;
            case "embedded":
                options.Type = DatastoreType.Embedded;
                options.EmbeddedPath = Get(values, "datastorePath") ?? DefaultEmbeddedPath;
                if (Directory.Exists(options.EmbeddedPath))
                {
                    // SQLite would fail deep inside with "unable to open database file"; say which setting is wrong.
                    throw new ClientConfigException(
                        $"error with field {datastorePathSetting} = '{options.EmbeddedPath}' (it is a directory: it must name the embedded datastore file, e.g. {DefaultEmbeddedPath})");
                }

                break;
            case "kubernetes":
                throw new ClientConfigException("datastoreType 'kubernetes' is not supported by this Calico: use 'etcdv3' or 'embedded'");
            default:
                throw new ClientConfigException($"error with field datastoreType = '{type}' (must be one of etcdv3, embedded)");
        }

        return options;
    }

    private static string? Get(IReadOnlyDictionary<string, string> values, string key) =>
        values.TryGetValue(key, out var v) && !string.IsNullOrEmpty(v) ? v : null;

    private static void Overlay(Dictionary<string, string> values, Func<string, string?> environment, string field, string variable)
    {
        var v = environment(variable);
        if (string.IsNullOrEmpty(v))
        {
            v = environment("CALICO_" + variable);
        }

        if (!string.IsNullOrEmpty(v))
        {
            values[field] = v;
        }
    }

    private static void ReadFile(string path, Dictionary<string, string> values)
    {
        var stream = new YamlStream();
        try
        {
            var text = File.ReadAllText(path);
            CheckDepth(path, text);
            using var reader = new StringReader(text);
            stream.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new ClientConfigException($"config file '{path}' is not valid YAML: {e.Message} at line {e.Start.Line}, column {e.Start.Column}", e);
        }

        if (stream.Documents.Count == 0)
        {
            return;
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ClientConfigException($"config file '{path}' must be a CalicoAPIConfig object");
        }

        var kind = ScalarOf(root, "kind");
        if (kind is not null && kind != "CalicoAPIConfig")
        {
            throw new ClientConfigException($"config file '{path}': error with field kind = '{kind}' (expected CalicoAPIConfig)");
        }

        if (root.Children.TryGetValue(new YamlScalarNode("spec"), out var specNode) && specNode is YamlMappingNode spec)
        {
            foreach (var (k, v) in spec.Children)
            {
                var key = ((YamlScalarNode)k).Value ?? "";
                if (Array.IndexOf(s_knownSpecFields, key) < 0)
                {
                    throw new ClientConfigException($"config file '{path}': field in document is not recognized or is in the wrong location: spec.{key}");
                }

                if (v is YamlScalarNode scalar)
                {
                    values[key] = scalar.Value ?? "";
                }
            }
        }
    }

    /// <summary>
    /// YamlStream builds its node tree recursively, so a file nested thousands deep would overflow the stack:
    /// walk the parser's events (iterative) first and refuse anything deeper than a resource may be.
    /// </summary>
    private static void CheckDepth(string path, string text)
    {
        var parser = new YamlDotNet.Core.Parser(new StringReader(text));
        var depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart:
                    if (++depth > Calico.Api.ResourceCodec.MaxDocumentDepth)
                    {
                        throw new ClientConfigException(
                            $"config file '{path}' is not valid: document nested deeper than {Calico.Api.ResourceCodec.MaxDocumentDepth} levels at line {parser.Current.Start.Line}");
                    }

                    break;
                case YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd:
                    depth--;
                    break;
            }
        }
    }

    private static string? ScalarOf(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlScalarNode s ? s.Value : null;
}
