using System.Globalization;
using System.Text;

namespace Calico.Lab.Cluster;

/// <summary>
/// The data centre's top-of-rack router (<c>up --tor</c>): BIRD 2 in its own namespace, AS 65000, one BGP session
/// per host and address family. It imports every route the hosts announce and exports only its own data-centre
/// prefix (<see cref="FabricAddressing.TorAnnouncedPrefix"/> and its IPv6 twin, blackholed here); its kernel protocols
/// write what BGP learned into the ToR's own routing table, so the ToR itself reaches the workloads. Hosts on
/// subnet 1 peer with the ToR's subnet-0 address through the fabric router: their sessions are multihop, sourced
/// from that address; their next hops resolve (recursively, through the direct routes) to the ToR's subnet-1 leg.
/// </summary>
public static class TorRouter
{
    private static readonly TimeSpan s_readyLimit = TimeSpan.FromSeconds(15);

    /// <summary>The ToR's bird.cfg. Hosts may use any AS but the ToR's (<c>external</c>): calico-node's default is 64512.</summary>
    public static string RenderConfig(IReadOnlyList<LabHost> hosts)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        var sb = new StringBuilder();
        sb.Append("# Written by calico-lab: the top-of-rack router.\n");
        sb.Append(CultureInfo.InvariantCulture, $"router id {FabricAddressing.TorRouterId};\n\n");
        sb.Append("protocol device { scan time 5; }\n\n");
        sb.Append("# Connected subnets: what multihop sessions' next hops resolve through.\n");
        sb.Append("protocol direct { ipv4; ipv6; }\n\n");
        sb.Append("# What BGP learned goes into the ToR's kernel, so it can reach the workloads.\n");
        sb.Append("protocol kernel kernel4 { ipv4 { import none; export where source = RTS_BGP; }; }\n");
        sb.Append("protocol kernel kernel6 { ipv6 { import none; export where source = RTS_BGP; }; }\n\n");
        sb.Append("# The data centre's own route, announced to every host.\n");
        sb.Append(CultureInfo.InvariantCulture, $"protocol static tor_v4 {{ ipv4; route {FabricAddressing.TorAnnouncedPrefix} blackhole; }}\n");
        sb.Append(CultureInfo.InvariantCulture, $"protocol static tor_v6 {{ ipv6; route {FabricAddressing.TorAnnouncedPrefix6} blackhole; }}\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"template bgp labhost {{\n  local as {FabricAddressing.TorAsNumber};\n  graceful restart;\n  connect retry time 2;\n  error wait time 1, 10;\n}}\n");
        foreach (var host in hosts)
        {
            var multihop = host.Subnet == 0 ? "" : $" multihop; source address {FabricAddressing.TorAddress};";
            var multihop6 = host.Subnet == 0 ? "" : $" multihop; source address {FabricAddressing.TorAddress6};";
            var name = host.Name.Replace('-', '_');
            sb.Append(CultureInfo.InvariantCulture, $"\nprotocol bgp {name} from labhost {{\n  neighbor {host.Address} external;{multihop}\n  ipv4 {{ import all; export where source = RTS_STATIC; }};\n}}\n");
            if (host.Address6.Length > 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $"protocol bgp {name}_v6 from labhost {{\n  neighbor {host.Address6} external;{multihop6}\n  ipv6 {{ import all; export where source = RTS_STATIC; }};\n}}\n");
            }
        }

        return sb.ToString();
    }

    /// <summary>Writes the config, starts <c>bird -f</c> inside the ToR's namespace, waits until its socket answers.</summary>
    public static async Task<LabProcess> StartAsync(LabLayout layout, IReadOnlyList<LabHost> hosts, Action<LabProcess> record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(record);
        var bird = Prerequisite.Find("bird", "install Debian package bird2");
        var birdc = Prerequisite.Find("birdc", "install Debian package bird2");
        Directory.CreateDirectory(layout.TorDir);
        await File.WriteAllTextAsync(layout.TorConfig, RenderConfig(hosts), cancellationToken).ConfigureAwait(false);
        var process = new LabProcess
        {
            Pid = DetachedProcess.StartInNetns(
                layout.TorNetns, bird, ["-f", "-c", layout.TorConfig, "-s", layout.TorSocket], new Dictionary<string, string>(StringComparer.Ordinal), Path.Combine(layout.TorDir, "bird.log")),
            Marker = layout.TorConfig,
        };
        record(process);
        var deadline = DateTime.UtcNow + s_readyLimit;
        while (true)
        {
            var status = await Command.RunAsync(birdc, ["-s", layout.TorSocket, "show", "status"], cancellationToken: cancellationToken).ConfigureAwait(false);
            if (status.ExitCode == 0 && status.Output.Contains("Daemon is up", StringComparison.Ordinal))
            {
                return process;
            }

            if (!DetachedProcess.IsRunning(process) || DateTime.UtcNow >= deadline)
            {
                var log = File.Exists(Path.Combine(layout.TorDir, "bird.log")) ? await File.ReadAllTextAsync(Path.Combine(layout.TorDir, "bird.log"), cancellationToken).ConfigureAwait(false) : "";
                throw new LabException($"the ToR's BIRD did not come up ({layout.TorSocket}): {status.Error.Trim()} {log.Trim()}");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }
}
