using System.Globalization;

namespace Calico.Datastore.Etcd;

/// <summary>Validated etcd connection settings: absolute endpoint URIs sharing one scheme, and TLS files that exist.</summary>
public sealed record EtcdSettings
{
    /// <summary>
    /// A write waits at least this long for one endpoint. Short enough that a budget of 10 s survives a write lost with a
    /// frozen leader (the follower forwarded it and never answers) plus one attempt on the frozen leader itself.
    /// </summary>
    public static readonly TimeSpan MinWriteAttemptTimeout = TimeSpan.FromSeconds(3);

    private EtcdSettings(IReadOnlyList<Uri> endpoints, string? caCertFile, string? certFile, string? keyFile, TimeSpan requestTimeout, TimeSpan attemptTimeout)
    {
        AttemptTimeout = attemptTimeout;
        Endpoints = endpoints;
        CaCertFile = caCertFile;
        CertFile = certFile;
        KeyFile = keyFile;
        RequestTimeout = requestTimeout;
    }

    public IReadOnlyList<Uri> Endpoints { get; }

    public string? CaCertFile { get; }

    public string? CertFile { get; }

    public string? KeyFile { get; }

    /// <summary>Total budget of one operation across every attempt and endpoint.</summary>
    public TimeSpan RequestTimeout { get; }

    /// <summary>Deadline of one read attempt on one endpoint.</summary>
    public TimeSpan AttemptTimeout { get; }

    /// <summary>Deadline of one write attempt on one endpoint.</summary>
    public TimeSpan WriteAttemptTimeout => AttemptTimeout > MinWriteAttemptTimeout ? AttemptTimeout : MinWriteAttemptTimeout;

    /// <summary>
    /// A watch stream silent this long is asked for progress; silent for another such period it is reopened on another
    /// endpoint (a frozen member accepts the stream and never answers).
    /// </summary>
    public TimeSpan WatchProgressInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A read not answered within this also goes to the next member, and the first answer wins (hedged read): a frozen
    /// member costs this, not <see cref="AttemptTimeout"/>. Writes are never hedged (they are not idempotent).
    /// </summary>
    public TimeSpan HedgeDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long every member may refuse connections or answer "no leader" before a call fails with "quorum lost"
    /// instead of retrying to the end of <see cref="RequestTimeout"/>: longer than an election after the leader's death
    /// (1–2 s with etcd's default 1 s election timeout, one more round after a split vote), short enough that calicoctl
    /// and a CNI ADD fail well within 10 s.
    /// </summary>
    public TimeSpan QuorumLossGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a member that timed out or refused is skipped (doubling per consecutive failure, at most 60 s).</summary>
    public TimeSpan EjectionTime { get; init; } = TimeSpan.FromSeconds(5);

    public bool UseTls => Endpoints[0].Scheme == Uri.UriSchemeHttps;

    /// <summary>The endpoints as operators wrote them, for error messages.</summary>
    public string EndpointList => string.Join(",", Endpoints.Select(e => e.GetLeftPart(UriPartial.Authority)));

    /// <exception cref="DatastoreConfigurationException">An option is invalid.</exception>
    public static EtcdSettings Validate(DatastoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string EndpointsField = "ETCD_ENDPOINTS";
        if (options.EtcdEndpoints is null || options.EtcdEndpoints.Count == 0)
        {
            throw new DatastoreConfigurationException(EndpointsField, null, "at least one etcd endpoint is required, e.g. http://127.0.0.1:2379");
        }

        var endpoints = new List<Uri>(options.EtcdEndpoints.Count);
        foreach (string raw in options.EtcdEndpoints)
        {
            string text = raw?.Trim() ?? string.Empty;
            if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri)
                || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                || string.IsNullOrEmpty(uri.Host))
            {
                throw new DatastoreConfigurationException(EndpointsField, raw, "expected a URL like http://10.0.0.1:2379 or https://etcd.example:2379");
            }

            if (uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
            {
                throw new DatastoreConfigurationException(EndpointsField, raw, "an endpoint is scheme://host:port with no path, query or credentials");
            }

            if (endpoints.Count > 0 && endpoints[0].Scheme != uri.Scheme)
            {
                throw new DatastoreConfigurationException(EndpointsField, string.Join(",", options.EtcdEndpoints), "all endpoints must use the same scheme (http or https)");
            }

            endpoints.Add(uri);
        }

        string? ca = CheckFile("ETCD_CA_CERT_FILE", options.EtcdCaCertFile);
        string? cert = CheckFile("ETCD_CERT_FILE", options.EtcdCertFile);
        string? key = CheckFile("ETCD_KEY_FILE", options.EtcdKeyFile);
        if ((cert is null) != (key is null))
        {
            throw cert is null
                ? new DatastoreConfigurationException("ETCD_CERT_FILE", null, "ETCD_KEY_FILE is set, so a client certificate is required too")
                : new DatastoreConfigurationException("ETCD_KEY_FILE", null, "ETCD_CERT_FILE is set, so its private key is required too");
        }

        if ((ca ?? cert) is not null && endpoints[0].Scheme != Uri.UriSchemeHttps)
        {
            throw new DatastoreConfigurationException(EndpointsField, string.Join(",", options.EtcdEndpoints), "TLS files are set but the endpoints are http://; use https://");
        }

        if (options.EtcdRequestTimeout <= TimeSpan.Zero)
        {
            throw new DatastoreConfigurationException(
                nameof(DatastoreOptions.EtcdRequestTimeout),
                options.EtcdRequestTimeout.ToString("c", CultureInfo.InvariantCulture),
                "must be positive");
        }

        if (options.EtcdAttemptTimeout <= TimeSpan.Zero)
        {
            throw new DatastoreConfigurationException(
                nameof(DatastoreOptions.EtcdAttemptTimeout),
                options.EtcdAttemptTimeout.ToString("c", CultureInfo.InvariantCulture),
                "must be positive");
        }

        return new EtcdSettings(endpoints, ca, cert, key, options.EtcdRequestTimeout, options.EtcdAttemptTimeout);
    }

    private static string? CheckFile(string field, string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        if (!File.Exists(path))
        {
            throw new DatastoreConfigurationException(field, path, "file does not exist");
        }

        return path;
    }
}
