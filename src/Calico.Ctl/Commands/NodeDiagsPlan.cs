using System.Text.RegularExpressions;

namespace Calico.Ctl.Commands;

/// <summary>
/// What <c>calicoctl node diags</c> collects (upstream's diags.go list, for a host without Kubernetes or containers)
/// and which log files it keeps. Pure: the runner executes it.
/// </summary>
internal static partial class NodeDiagsPlan
{
    /// <summary>One external command: the line printed before it (upstream's <c>info</c>), its argv and the file it fills.</summary>
    internal sealed record Command(string Info, string[] Argv, string File);

    /// <summary>One calicoctl command run in-process against the same datastore, and the file it fills.</summary>
    internal sealed record CtlCommand(string Info, string[] Args, string File);

    /// <summary>Where the archive's inputs are on the host.</summary>
    internal sealed record Options(string LogDir, string StateDir, int? MaxLogs, string? BirdSocket, bool HasNetstat);

    /// <summary>The files under <c>/etc/calico</c> copied into <c>config/</c> when present.</summary>
    public static readonly string[] ConfigFiles = ["/etc/calico/felix.cfg", "/etc/calico/calico.env", "/etc/calico/calicoctl.cfg"];

    /// <summary>Files of the state directory collected (never <c>bird.cfg</c>: it holds BGP passwords in cleartext).</summary>
    public static readonly string[] StateFiles = ["bird.log", "bird.log.1", "nodename", "mtu"];

    public static IReadOnlyList<Command> Commands(Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var list = new List<Command>
        {
            new("", ["date"], "date"),
            new("", ["hostname"], "hostname"),
            new("Dumping routes (IPv4)", ["ip", "-4", "route", "show", "table", "all"], "ipv4_route"),
            new("Dumping routes (IPv6)", ["ip", "-6", "route", "show", "table", "all"], "ipv6_route"),
            new("Dumping routing rules (IPv4)", ["ip", "-4", "rule"], "ipv4_rule"),
            new("Dumping routing rules (IPv6)", ["ip", "-6", "rule"], "ipv6_rule"),
            new("Dumping interface info (IPv4)", ["ip", "-4", "addr"], "ipv4_addr"),
            new("Dumping interface info (IPv6)", ["ip", "-6", "addr"], "ipv6_addr"),
            new("Dumping links", ["ip", "-d", "link"], "links"),
            new("Dumping neighbours", ["ip", "neigh", "show"], "neighbours"),
            new("Dumping nftables", ["nft", "-n", "-a", "list", "ruleset"], "nft_ruleset"),
            new("Dumping iptables (IPv4)", ["iptables-save", "-c"], "ipv4_tables"),
            new("Dumping iptables (IPv6)", ["ip6tables-save", "-c"], "ipv6_tables"),
            options.HasNetstat
                ? new("Dumping netstat", ["netstat", "-a", "-n"], "netstat")
                : new("Dumping ss", ["ss", "-a", "-n"], "ss"),
            new("Copying journal for calico-node.service", ["journalctl", "-u", "calico-node.service", "--no-pager"], "journalctl_calico_node"),
            new("Copying journal for calico-kube-controllers.service", ["journalctl", "-u", "calico-kube-controllers.service", "--no-pager"], "journalctl_calico_kube_controllers"),
        };

        if (options.BirdSocket is { } socket)
        {
            list.Add(new("Dumping BIRD protocols", ["birdc", "-s", socket, "show", "protocols", "all"], "bird_protocols"));
            list.Add(new("Dumping BIRD routes", ["birdc", "-s", socket, "show", "route", "all"], "bird_routes"));
        }

        list.Add(new("Collecting versions", ["uname", "-a"], "version_kernel"));
        list.Add(new("", ["nft", "--version"], "version_nft"));
        list.Add(new("", ["bird", "--version"], "version_bird"));
        return list;
    }

    public static IReadOnlyList<CtlCommand> CtlCommands(string configPath) =>
    [
        new("Collecting calicoctl version", ["version", "--config", configPath], "version_calicoctl"),
        new("Collecting calicoctl node status", ["node", "status"], "node_status"),
        new("Dumping FelixConfigurations", ["get", "felixconfigurations", "-o", "yaml", "--config", configPath], "datastore/felixconfigurations.yaml"),
        new("Dumping BGPConfigurations", ["get", "bgpconfigurations", "-o", "yaml", "--config", configPath], "datastore/bgpconfigurations.yaml"),
        new("Dumping Nodes", ["get", "nodes", "-o", "yaml", "--config", configPath], "datastore/nodes.yaml"),
        new("Dumping IPPools", ["get", "ippools", "-o", "yaml", "--config", configPath], "datastore/ippools.yaml"),
        new("Dumping ClusterInformation", ["get", "clusterinformations", "-o", "yaml", "--config", configPath], "datastore/clusterinformations.yaml"),
    ];

    /// <summary>
    /// The log files to copy (relative paths), at most <paramref name="maxLogs"/> of each kind, newest first: a kind is
    /// a directory's file name without its rotation suffix (<c>felix.log</c>, <c>felix.log.1</c>, <c>felix.log.2.gz</c>
    /// are one kind; svlogd's <c>current</c> and <c>@….s</c> are one). Null keeps everything, as upstream's node diags.
    /// </summary>
    public static IReadOnlyList<string> SelectLogs(IReadOnlyList<(string RelativePath, DateTime Modified)> files, int? maxLogs)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (maxLogs is not { } max)
        {
            return [.. files.Select(f => f.RelativePath).Order(StringComparer.Ordinal)];
        }

        return [.. files
            .GroupBy(f => (Path.GetDirectoryName(f.RelativePath) ?? "") + "/" + LogKind(Path.GetFileName(f.RelativePath)), StringComparer.Ordinal)
            .SelectMany(g => g.OrderByDescending(f => f.Modified).ThenBy(f => f.RelativePath, StringComparer.Ordinal).Take(max))
            .Select(f => f.RelativePath)
            .Order(StringComparer.Ordinal)];
    }

    internal static string LogKind(string name)
    {
        if (name == "current" || name.StartsWith('@'))
        {
            return "current";
        }

        return RotationSuffix().Replace(name, "");
    }

    /// <summary><c>KEY=value</c> lines of an environment file with the values of secret-looking keys replaced.</summary>
    public static string RedactEnvironmentFile(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int eq = lines[i].IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && SecretKey().IsMatch(lines[i][..eq]))
            {
                lines[i] = lines[i][..(eq + 1)] + "<redacted>";
            }
        }

        return string.Join('\n', lines);
    }

    [GeneratedRegex(@"((\.|-)\d+)*(\.gz)?$")]
    private static partial Regex RotationSuffix();

    [GeneratedRegex("(PASSWORD|SECRET|TOKEN|PASSPHRASE)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretKey();
}
