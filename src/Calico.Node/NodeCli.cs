using Calico.Client;
using Calico.Datastore;
using Calico.Node.Startup;

namespace Calico.Node;

/// <summary>The whole program: arguments and environment in, exit code out (tests run it in-process).</summary>
public static class NodeCli
{
    public static Task<int> RunAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, TextWriter stderr, CancellationToken cancellationToken) =>
        RunAsync(args, environment, Console.Out, stderr, cancellationToken);

    /// <summary>As above, with the output of the inspection commands (<c>-bpf</c>) going to <paramref name="stdout"/>.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (args.Count >= 1 && args[0] == "-bpf")
        {
            // Upstream's calico-node -bpf (calico-bpf): reads the pinned maps and exits; runs synchronously, in the
            // caller's network namespace.
            return Bpf.BpfCli.Run([.. args.Skip(1)], environment, stdout, stderr);
        }

        if (args.Count == 1 && args[0] is "-h" or "--help")
        {
            await stderr.WriteAsync(NodeSettings.Usage).ConfigureAwait(false);
            await stderr.WriteLineAsync("calico-node -bpf <command>: inspects the eBPF dataplane's pinned maps (calico-node -bpf help)").ConfigureAwait(false);
            return 0;
        }

        // Upstream's probe flags (-felix-live, -bird-ready, ...): answer from the running node and exit.
        Probes.NodeProbeOptions? probes;
        try
        {
            probes = Probes.NodeProbeOptions.TryParse(args);
        }
        catch (ArgumentException e)
        {
            await stderr.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 2;
        }

        if (probes is not null)
        {
            return await Probes.NodeProbes.RunAsync(probes, environment, stderr, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }

        NodeSettings settings;
        try
        {
            settings = NodeSettings.Parse(args, environment, System.Net.Dns.GetHostName());
        }
        catch (ArgumentException e)
        {
            await stderr.WriteLineAsync(e.Message).ConfigureAwait(false);
            await stderr.WriteAsync(NodeSettings.Usage).ConfigureAwait(false);
            return 2;
        }

        await using var services = NodeServices.Create(stderr, environment);
        try
        {
            return await new NodeRunner(settings, services).RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("calico-node: start-up timed out waiting for the datastore").ConfigureAwait(false);
            return 1;
        }
        catch (Exception e) when (e is ClientConfigException or DatastoreConfigurationException or DatastoreUnavailableException or InvalidOperationException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync("calico-node: " + e.Message).ConfigureAwait(false);
            return 1;
        }
    }
}
