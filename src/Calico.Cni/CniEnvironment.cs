using System.Net;

namespace Calico.Cni;

/// <summary>
/// The CNI_* variables of one invocation, validated: a missing or malformed variable is error 4 naming it.
/// </summary>
internal sealed record CniEnvironment
{
    public required CniCommand Command { get; init; }

    public string ContainerId { get; init; } = "";

    public string? Netns { get; init; }

    public string IfName { get; init; } = "";

    public string? Path { get; init; }

    /// <summary>CNI_ARGS as key/value pairs (unknown keys kept; upstream ignores them).</summary>
    public IReadOnlyDictionary<string, string> Args { get; init; } = new Dictionary<string, string>();

    public string? K8sPodNamespace => Args.TryGetValue("K8S_POD_NAMESPACE", out var v) && v.Length > 0 ? v : null;

    public string? K8sPodName => Args.TryGetValue("K8S_POD_NAME", out var v) && v.Length > 0 ? v : null;

    /// <summary>CNI_ARGS IP= (comma-separated, as upstream's calico-ipam accepts).</summary>
    public IReadOnlyList<IPAddress> RequestedIps { get; init; } = [];

    public static CniEnvironment Parse(IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var commandText = Get(environment, "CNI_COMMAND");
        if (commandText is null)
        {
            throw Bad("CNI_COMMAND", null, "must be set to ADD, DEL, CHECK, STATUS, GC or VERSION");
        }

        CniCommand command = commandText switch
        {
            "ADD" => CniCommand.Add,
            "DEL" => CniCommand.Del,
            "CHECK" => CniCommand.Check,
            "STATUS" => CniCommand.Status,
            "GC" => CniCommand.Gc,
            "VERSION" => CniCommand.Version,
            _ => throw Bad("CNI_COMMAND", commandText, "must be ADD, DEL, CHECK, STATUS, GC or VERSION"),
        };
        if (command is CniCommand.Version or CniCommand.Status or CniCommand.Gc)
        {
            return new CniEnvironment { Command = command, Path = Get(environment, "CNI_PATH") };
        }

        var containerId = Get(environment, "CNI_CONTAINERID") ?? throw Bad("CNI_CONTAINERID", null, "must be set");
        foreach (var c in containerId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
            {
                throw Bad("CNI_CONTAINERID", containerId, "may contain only letters, digits, '_', '.' and '-'");
            }
        }

        if (!char.IsAsciiLetterOrDigit(containerId[0]))
        {
            throw Bad("CNI_CONTAINERID", containerId, "must start with a letter or digit");
        }

        var ifName = Get(environment, "CNI_IFNAME") ?? throw Bad("CNI_IFNAME", null, "must be set");
        if (ifName.Length > 15 || ifName is "." or ".." || ifName.Any(c => c is '/' or ':' || char.IsWhiteSpace(c)))
        {
            throw Bad("CNI_IFNAME", ifName, "is not a valid interface name (at most 15 characters, no '/', ':' or spaces)");
        }

        var netns = Get(environment, "CNI_NETNS");
        if (netns is null && command is CniCommand.Add or CniCommand.Check)
        {
            throw Bad("CNI_NETNS", null, "must be set for " + commandText);
        }

        if (netns is not null && !System.IO.Path.IsPathFullyQualified(netns))
        {
            throw Bad("CNI_NETNS", netns, "must be an absolute path to a network namespace");
        }

        var path = Get(environment, "CNI_PATH");
        if (path is null && command is not CniCommand.Del)
        {
            throw Bad("CNI_PATH", null, "must be set for " + commandText);
        }

        var args = ParseArgs(Get(environment, "CNI_ARGS"));
        var ips = new List<IPAddress>();
        if (args.TryGetValue("IP", out var ipText) && ipText.Length > 0)
        {
            foreach (var part in ipText.Split(',', StringSplitOptions.TrimEntries))
            {
                if (!IPAddress.TryParse(part, out var ip))
                {
                    throw Bad("CNI_ARGS", "IP=" + ipText, $"\"{part}\" is not an IP address");
                }

                ips.Add(ip);
            }
        }

        // Upstream: a pod only when both are present; podman passes K8S_POD_NAME alone (the container name).
        return new CniEnvironment
        {
            Command = command,
            ContainerId = containerId,
            Netns = netns,
            IfName = ifName,
            Path = path,
            Args = args,
            RequestedIps = ips,
        };
    }

    private static Dictionary<string, string> ParseArgs(string? text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(text))
        {
            return result;
        }

        foreach (var pair in text.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw Bad("CNI_ARGS", text, $"\"{pair}\" is not KEY=VALUE");
            }

            result[pair[..eq]] = pair[(eq + 1)..];
        }

        return result;
    }

    private static string? Get(IReadOnlyDictionary<string, string> environment, string name) =>
        environment.TryGetValue(name, out var v) && v.Length > 0 ? v : null;

    private static CniException Bad(string variable, string? value, string why) =>
        new(CniErrorCodes.InvalidEnvironment, value is null ? $"environment variable {variable} {why}" : $"environment variable {variable}=\"{value}\" {why}");
}
