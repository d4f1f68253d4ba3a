using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Calico.TestKit;

namespace Calico.Benchmarks;

/// <summary>
/// iperf3 between two namespaces: single-stream TCP throughput (<c>-t 3 -O 1</c>, the first second omitted) and the
/// UDP packet rate the receiver got (<c>-u -b 0 -l 64</c>: as fast as the sender can, 64-byte payloads; delivered =
/// sent - lost, per second, as the server reports it). A one-shot server (<c>-s -1</c>) per run.
/// </summary>
internal static class HepIperf
{
    public const int Port = 5201;

    public static async Task<double> TcpGbitsAsync(string serverNs, string serverIp, string clientNs, CancellationToken cancellationToken)
    {
        using JsonDocument document = await RunAsync(serverNs, serverIp, clientNs, ["-t", "3", "-O", "1"], cancellationToken);
        return document.RootElement.GetProperty("end").GetProperty("sum_received").GetProperty("bits_per_second").GetDouble() / 1e9;
    }

    public static async Task<double> UdpKppsAsync(string serverNs, string serverIp, string clientNs, CancellationToken cancellationToken)
    {
        using JsonDocument document = await RunAsync(serverNs, serverIp, clientNs, ["-u", "-b", "0", "-l", "64", "-t", "3"], cancellationToken);
        JsonElement sum = document.RootElement.GetProperty("end").GetProperty("sum");
        double delivered = sum.GetProperty("packets").GetDouble() - sum.GetProperty("lost_packets").GetDouble();
        return delivered / sum.GetProperty("seconds").GetDouble() / 1e3;
    }

    private static async Task<JsonDocument> RunAsync(string serverNs, string serverIp, string clientNs, string[] mode, CancellationToken cancellationToken)
    {
        string iperf = Prerequisites.Require("iperf3");
        string port = Port.ToString(CultureInfo.InvariantCulture);
        using var children = new ChildProcess();
        Process server = children.Start("ip", ["netns", "exec", serverNs, iperf, "-s", "-1", "-B", serverIp, "-p", port]);
        await WaitForListenerAsync(serverNs, server, cancellationToken);
        string json = await PacketsIperf.RunToEndAsync("ip", ["netns", "exec", clientNs, iperf, "-c", serverIp, "-p", port, .. mode, "-J"], cancellationToken);
        await server.WaitForExitAsync(cancellationToken);
        return JsonDocument.Parse(json);
    }

    private static async Task WaitForListenerAsync(string serverNs, Process server, CancellationToken cancellationToken)
    {
        while (true)
        {
            (int exit, string output) = Run("ip", "netns", "exec", serverNs, "ss", "-Hltn", $"sport = :{Port}");
            if (exit == 0 && output.Trim().Length > 0)
            {
                return;
            }

            if (server.HasExited)
            {
                throw new InvalidOperationException($"iperf3 server exited {server.ExitCode} before listening");
            }

            // Polling for a child's readiness, not timing anything measured.
            await Task.Delay(20, cancellationToken);
        }
    }

    private static (int ExitCode, string Output) Run(string fileName, params string[] arguments)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + fileName);
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
