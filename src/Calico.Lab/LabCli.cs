using Calico.Lab.Conformance;

namespace Calico.Lab;

/// <summary>calico-lab's command line; <see cref="RunAsync"/> is the whole program, so tests run it in-process.</summary>
public static class LabCli
{
    private const string Usage =
        "usage: calico-lab conformance [--engine] <case file or directory>...\n" +
        "  --engine   compute every case with the policy engine alone (default)\n" +
        "  --cluster  probe real packets on a cluster in network namespaces (not available yet)\n";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (args.Count == 0 || args[0] is "-h" or "--help" or "help")
        {
            await (args.Count == 0 ? stderr : stdout).WriteAsync(Usage).ConfigureAwait(false);
            return args.Count == 0 ? 1 : 0;
        }

        if (args[0] != "conformance")
        {
            await stderr.WriteAsync($"calico-lab: unknown command '{args[0]}'\n{Usage}").ConfigureAwait(false);
            return 1;
        }

        var paths = new List<string>();
        foreach (var arg in args.Skip(1))
        {
            switch (arg)
            {
                case "--engine":
                    break;
                case "--cluster":
                    await stderr.WriteLineAsync("calico-lab conformance: --cluster is not available yet; use --engine (the policy engine alone)").ConfigureAwait(false);
                    return 1;
                case "-h" or "--help":
                    await stdout.WriteAsync(Usage).ConfigureAwait(false);
                    return 0;
                default:
                    if (arg.StartsWith('-'))
                    {
                        await stderr.WriteAsync($"calico-lab conformance: unknown option '{arg}'\n{Usage}").ConfigureAwait(false);
                        return 1;
                    }

                    paths.Add(arg);
                    break;
            }
        }

        if (paths.Count == 0)
        {
            await stderr.WriteAsync($"calico-lab conformance: no case file or directory given\n{Usage}").ConfigureAwait(false);
            return 1;
        }

        IReadOnlyList<string> files;
        try
        {
            files = ConformanceRunner.FindCases(paths);
        }
        catch (FileNotFoundException e)
        {
            await stderr.WriteLineAsync("calico-lab conformance: " + e.Message).ConfigureAwait(false);
            return 1;
        }

        if (files.Count == 0)
        {
            await stderr.WriteLineAsync("calico-lab conformance: no case (*.yaml) found in " + string.Join(", ", paths)).ConfigureAwait(false);
        }

        return await ConformanceRunner.RunAsync(files, stdout, cancellationToken).ConfigureAwait(false);
    }
}
