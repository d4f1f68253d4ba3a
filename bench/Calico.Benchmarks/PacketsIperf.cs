using System.Diagnostics;
using System.Text.Json;
using Calico.TestKit;

namespace Calico.Benchmarks;

/// <summary>
/// Single-stream TCP throughput with iperf3, as in performance-anchors 2.a: a one-shot server (<c>-s -1</c>) in the
/// server pod, the client (<c>-t 5 -O 1 -J</c>, the first second omitted as warm-up) in the client pod.
/// </summary>
internal static class PacketsIperf
{
    public static async Task<double> RunGbitsAsync(PacketsTopology topology, CancellationToken cancellationToken)
    {
        string iperf = Prerequisites.Require("iperf3");
        string port = PacketsRulesets.IperfPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var children = new ChildProcess();
        Process server = children.Start("ip", ["netns", "exec", topology.Server.Name, iperf, "-s", "-1", "-B", PacketsTopology.ServerIp, "-p", port]);
        await WaitForListenerAsync(topology, server, cancellationToken);
        string json = await RunToEndAsync("ip", ["netns", "exec", topology.Client.Name, iperf, "-c", PacketsTopology.ServerIp, "-p", port, "-t", "5", "-O", "1", "-J"], cancellationToken);
        await server.WaitForExitAsync(cancellationToken);
        using JsonDocument document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("end").GetProperty("sum_received").GetProperty("bits_per_second").GetDouble() / 1e9;
    }

    private static async Task WaitForListenerAsync(PacketsTopology topology, Process server, CancellationToken cancellationToken)
    {
        string filter = $"sport = :{PacketsRulesets.IperfPort}";
        while (true)
        {
            (int exit, string output, _) = topology.Server.Exec("ss", "-Hltn", filter);
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

    /// <summary>Runs a child to its end; its standard output, or an exception with both streams when it fails.</summary>
    internal static async Task<string> RunToEndAsync(string fileName, string[] arguments, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + fileName);
        try
        {
            Task<string> error = process.StandardError.ReadToEndAsync(cancellationToken);
            string output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            return process.ExitCode == 0
                ? output
                : throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited {process.ExitCode}: {await error}{output}");
        }
        catch (OperationCanceledException)
        {
            ChildProcess.Kill(process);
            throw;
        }
    }
}
