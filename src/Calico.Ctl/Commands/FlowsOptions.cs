using System.Globalization;
using Calico.Goldmane.Api;
using GmAction = Calico.Goldmane.Api.Action;
using MatchType = Calico.Goldmane.Api.MatchType;

namespace Calico.Ctl.Commands;

/// <summary>
/// <c>calicoctl flows</c>'s flags, checked: each bad value is a <see cref="CtlException"/> naming the flag and the value.
/// <see cref="Requests"/> turns them into Goldmane <c>Flows.List</c> requests.
/// </summary>
internal sealed record FlowsOptions
{
    public const string ServerEnvironment = "CALICO_FLOWS_SERVER";
    public const string DefaultServer = "127.0.0.1:7443";

    /// <summary>The aggregator's gRPC address as given (for messages).</summary>
    public required string Server { get; init; }

    /// <summary>The address to dial: <c>http://host:port</c> unless given with a scheme.</summary>
    public required Uri ServerUri { get; init; }

    public GmAction? Action { get; init; }

    /// <summary>How far back, in seconds; 0 = everything the aggregator holds.</summary>
    public long SinceSeconds { get; init; }

    public string? Namespace { get; init; }

    public string? Name { get; init; }

    public string? PolicyNamespace { get; init; }

    public string? PolicyName { get; init; }

    public int? Port { get; init; }

    public FlowsOutput Output { get; init; } = FlowsOutput.Table;

    public static FlowsOptions Parse(
        string? server, Func<string, string?> environment, string? action, string? since, string? ns, string? name, string? policy, string? port, string? output)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? fromEnvironment = environment(ServerEnvironment);
        bool useEnvironment = server is null && !string.IsNullOrEmpty(fromEnvironment);
        string address = server ?? (useEnvironment ? fromEnvironment! : DefaultServer);
        string flag = useEnvironment ? ServerEnvironment : "--server";
        var options = new FlowsOptions
        {
            Server = address,
            ServerUri = ParseServer(address, flag),
            Action = action is null ? null : ParseAction(action),
            SinceSeconds = since is null ? 0 : ParseDuration(since),
            Namespace = NonEmpty(ns, "--namespace"),
            Name = NonEmpty(name, "--name"),
            Port = port is null ? null : ParsePort(port),
            Output = output is null ? FlowsOutput.Table : ParseOutput(output),
        };
        if (policy is not null)
        {
            NonEmpty(policy, "--policy");
            int slash = policy.IndexOf('/', StringComparison.Ordinal);
            options = slash < 0
                ? options with { PolicyName = policy }
                : options with { PolicyNamespace = NonEmpty(policy[..slash], "--policy"), PolicyName = NonEmpty(policy[(slash + 1)..], "--policy") };
        }

        return options;
    }

    /// <summary>
    /// The List requests to send: Goldmane ANDs filter fields, so "either end in this namespace (and either end with
    /// this name)" is one request per combination of ends; the runner merges the answers by flow id.
    /// </summary>
    public IReadOnlyList<FlowListRequest> Requests()
    {
        var requests = new List<FlowListRequest>();
        bool[] namespaceEnds = Namespace is null ? [false] : [true, false];
        bool[] nameEnds = Name is null ? [false] : [true, false];
        foreach (bool namespaceAtSource in namespaceEnds)
        {
            foreach (bool nameAtSource in nameEnds)
            {
                var filter = new Filter();
                if (Namespace is not null)
                {
                    (namespaceAtSource ? filter.SourceNamespaces : filter.DestNamespaces).Add(new StringMatch { Value = Namespace, Type = MatchType.Exact });
                }

                if (Name is not null)
                {
                    (nameAtSource ? filter.SourceNames : filter.DestNames).Add(new StringMatch { Value = Name, Type = MatchType.Exact });
                }

                if (Action is { } action)
                {
                    filter.Actions.Add(action);
                }

                if (Port is { } port)
                {
                    filter.DestPorts.Add(new PortMatch { Port = port });
                }

                if (PolicyName is not null)
                {
                    var match = new PolicyMatch { Name = new StringMatch { Value = PolicyName, Type = MatchType.Exact } };
                    if (PolicyNamespace is not null)
                    {
                        match.Namespace = new StringMatch { Value = PolicyNamespace, Type = MatchType.Exact };
                    }

                    filter.Policies.Add(match);
                }

                var request = new FlowListRequest { StartTimeGte = -SinceSeconds, Filter = filter };
                request.SortBy.Add(new SortOption { SortBy = SortBy.Time });
                requests.Add(request);
            }
        }

        return requests;
    }

    private static Uri ParseServer(string address, string flag)
    {
        string text = address.Contains("://", StringComparison.Ordinal) ? address : "http://" + address;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.IsDefaultPort
            || uri.AbsolutePath != "/" || uri.Host.Length == 0)
        {
            throw new CtlException($"invalid {flag} '{address}': expected host:port (e.g. {DefaultServer}), or http(s)://host:port");
        }

        return uri;
    }

    private static GmAction ParseAction(string value) => value.ToUpperInvariant() switch
    {
        "ALLOW" => GmAction.Allow,
        "DENY" => GmAction.Deny,
        "PASS" => GmAction.Pass,
        _ => throw new CtlException($"invalid --action '{value}': one of Allow, Deny, Pass"),
    };

    private static int ParsePort(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is >= 1 and <= 65535
            ? port
            : throw new CtlException($"invalid --port '{value}': a number 1-65535");

    private static FlowsOutput ParseOutput(string value) => value switch
    {
        "table" => FlowsOutput.Table,
        "wide" => FlowsOutput.Wide,
        "yaml" => FlowsOutput.Yaml,
        "json" => FlowsOutput.Json,
        _ => throw new CtlException($"invalid --output '{value}': one of table, wide, yaml, json"),
    };

    private static string? NonEmpty(string? value, string flag) =>
        value is null ? null : value.Trim().Length > 0 ? value.Trim() : throw new CtlException($"invalid {flag} '{value}': must not be empty");

    /// <summary>A duration as Go writes one (<c>90s</c>, <c>5m</c>, <c>1h30m</c>), also <c>d</c> for days; whole seconds, more than zero.</summary>
    public static long ParseDuration(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        long total = 0;
        int i = 0;
        string text = value.Trim();
        while (i < text.Length)
        {
            int start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i == start || i == text.Length || !long.TryParse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out long amount))
            {
                throw BadDuration(value);
            }

            long unit = text[i] switch
            {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86400,
                _ => throw BadDuration(value),
            };
            i++;
            if (amount > (long.MaxValue - total) / unit)
            {
                throw BadDuration(value);
            }

            total += amount * unit;
        }

        return total > 0 ? total : throw BadDuration(value);
    }

    private static CtlException BadDuration(string value) =>
        new($"invalid --since '{value}': a duration such as 30s, 5m, 1h or 1h30m");
}
