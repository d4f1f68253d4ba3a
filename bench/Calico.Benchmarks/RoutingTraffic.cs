using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Calico.Lab.Cluster;
using Calico.TestKit;

namespace Calico.Benchmarks;

/// <summary>
/// Throughput (iperf3 single stream, <c>-t 5 -O 1</c>) and connection rate (the C# CRR loop of
/// <see cref="PacketsCrr"/>, 5 s) over one <see cref="RoutingPath"/>, as in performance-anchors 2.a and 2.d.
/// </summary>
internal static class RoutingTraffic
{
    private const int IperfPort = 5201;
    private const int CrrPort = 7001;

    public static async Task<(double Gbits, PacketsCrrResult Crr)> MeasureAsync(RoutingPath path, CancellationToken cancellationToken)
    {
        string serverPath = LabLayout.NetnsPath(path.ServerNetns);
        string clientPath = LabLayout.NetnsPath(path.ClientNetns);
        using (PacketsCrr server = await PacketsCrr.StartServerAsync(serverPath, path.ServerIp, CrrPort, cancellationToken))
        {
            // The first connection can wait on ARP/neighbour resolution along the path; not part of the figure.
            if (!await PacketsCrr.ProbeAsync(clientPath, path.ServerIp, CrrPort, TimeSpan.FromSeconds(5), cancellationToken))
            {
                throw new InvalidOperationException($"{path.Label}: client cannot reach {path.ServerIp}:{CrrPort}");
            }

            PacketsCrrResult crr = await PacketsCrr.RunClientAsync(clientPath, path.ServerIp, CrrPort, TimeSpan.FromSeconds(5), cancellationToken);
            double gbits = await IperfAsync(path, cancellationToken);
            return (gbits, crr);
        }
    }

    private static async Task<double> IperfAsync(RoutingPath path, CancellationToken cancellationToken)
    {
        string iperf = Prerequisites.Require("iperf3");
        string port = IperfPort.ToString(CultureInfo.InvariantCulture);
        using var children = new ChildProcess();
        Process server = children.Start("ip", ["netns", "exec", path.ServerNetns, iperf, "-s", "-1", "-B", path.ServerIp, "-p", port]);
        while ((await Command.RunAsync("ip", ["netns", "exec", path.ServerNetns, "ss", "-Hltn", $"sport = :{port}"], cancellationToken: cancellationToken)).Output.Trim().Length == 0)
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException($"iperf3 server exited {server.ExitCode} before listening");
            }

            // Polling for a child's readiness, not timing anything measured.
            await Task.Delay(20, cancellationToken);
        }

        string json = await RoutingShell.RunAsync("ip", cancellationToken, "netns", "exec", path.ClientNetns, iperf, "-c", path.ServerIp, "-p", port, "-t", "5", "-O", "1", "-J");
        await server.WaitForExitAsync(cancellationToken);
        using JsonDocument document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("end").GetProperty("sum_received").GetProperty("bits_per_second").GetDouble() / 1e9;
    }
}
