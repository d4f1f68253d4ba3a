using System.Globalization;
using System.Net;

namespace Calico.Lab.Cluster;

/// <summary>
/// <c>calico-lab relay</c> (hidden; <see cref="LabFlows"/> starts it detached in the machine's namespace): one
/// loopback listener per target, each connection relayed through a socket made inside the lab's fabric namespace
/// (<see cref="NetnsRelay"/>). Writes the listeners' endpoints to the ports file, one a line in the targets' order
/// (temporary file, then rename). Exits on SIGTERM, or by itself within a second once the fabric namespace or the
/// ports file is gone (a lab taken down without lab.json leaves no relay behind).
/// </summary>
public static class RelayProcess
{
    private static readonly TimeSpan s_watch = TimeSpan.FromSeconds(1);

    public static async Task RunAsync(string netns, string portsFile, IReadOnlyList<IPEndPoint> targets, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(netns);
        ArgumentNullException.ThrowIfNull(portsFile);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(output);
        var netnsPath = LabLayout.NetnsPath(netns);
        if (!File.Exists(netnsPath))
        {
            throw new LabException($"--netns '{netns}': no such network namespace ({netnsPath})");
        }

        var relays = new List<NetnsRelay>();
        try
        {
            foreach (var target in targets)
            {
                relays.Add(NetnsRelay.Start(netnsPath, target));
            }

            var temporary = portsFile + ".tmp";
            await File.WriteAllTextAsync(temporary, string.Concat(relays.Select(r => r.LocalEndPoint + "\n")), cancellationToken).ConfigureAwait(false);
            File.Move(temporary, portsFile, overwrite: true);
            for (var i = 0; i < targets.Count; i++)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"relay {relays[i].LocalEndPoint} -> {targets[i]} in {netns}")).ConfigureAwait(false);
            }

            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            while (File.Exists(netnsPath) && File.Exists(portsFile))
            {
                await Task.Delay(s_watch, cancellationToken).ConfigureAwait(false);
            }

            await output.WriteLineAsync($"relay: {(File.Exists(netnsPath) ? portsFile : netnsPath)} is gone, exiting").ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped.
        }
        finally
        {
            foreach (var relay in relays)
            {
                await relay.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary><c>address:port</c> (IPv4), a <see cref="LabException"/> naming a bad one.</summary>
    public static IPEndPoint ParseTarget(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return IPEndPoint.TryParse(text, out var endPoint) && endPoint.Port != 0
            ? endPoint
            : throw new LabException($"relay target '{text}' is not <address>:<port>");
    }
}
