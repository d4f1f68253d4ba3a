namespace Calico.KubeControllers;

/// <summary>The whole program: arguments and environment in, exit code out (tests run it in-process).</summary>
public static class ControllersCli
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        await stderr.WriteLineAsync("calico-kube-controllers: not built yet").ConfigureAwait(false);
        await Task.CompletedTask.WaitAsync(cancellationToken).ConfigureAwait(false);
        return 1;
    }
}
