using Calico.Lab.Cluster;
using Calico.TestKit;

namespace Calico.Lab.Tests;

/// <summary>Runs calico-lab in-process against one lab (unique name, temporary state directory).</summary>
public sealed class LabRunner : IDisposable
{
    private readonly TempDirectory _dir = new("calico-lab-t");

    public LabRunner()
    {
        Name = "t" + Guid.NewGuid().ToString("N")[..8];
    }

    public string Name { get; }

    public string StateDir => _dir.File("state");

    public sealed record Outcome(int ExitCode, string Output, string Error);

    /// <summary>calico-lab &lt;command&gt; --name &lt;lab&gt; --state-dir &lt;dir&gt; args…</summary>
    public async Task<Outcome> RunAsync(string command, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await LabCli.RunAsync([command, "--name", Name, "--state-dir", StateDir, .. args], output, error, CancellationToken.None);
        return new Outcome(code, output.ToString(), error.ToString());
    }

    /// <summary>Like <see cref="RunAsync"/>, failing the test with the output when the command fails.</summary>
    public async Task<string> MustAsync(string command, params string[] args)
    {
        var outcome = await RunAsync(command, args);
        Assert.True(outcome.ExitCode == 0, $"calico-lab {command} {string.Join(' ', args)} exited {outcome.ExitCode}:\n{outcome.Output}\n{outcome.Error}");
        return outcome.Output;
    }

    /// <summary>The namespace <c>&lt;lab&gt;-&lt;suffix&gt;</c> (host1, fabric, outside, tor, …).</summary>
    public string Netns(string suffix) => Name + "-" + suffix;

    /// <summary>The calicoctl built with the tests, pointed at this lab's embedded datastore; fails the test on a non-zero exit.</summary>
    public async Task<string> CalicoctlAsync(string? stdin, params string[] args)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["DATASTORE_TYPE"] = "embedded",
            ["CALICO_DATASTORE_PATH"] = Path.Combine(StateDir, "calico.db"),
        };
        var result = await Command.RunAsync(Calicoctl(), args, environment, stdin, CancellationToken.None);
        Assert.True(result.ExitCode == 0, $"calicoctl {string.Join(' ', args)} exited {result.ExitCode}:\n{result.Output}\n{result.Error}");
        return result.Output;
    }

    /// <summary>The calicoctl built beside the tests, else the one on PATH.</summary>
    public static string Calicoctl()
    {
        var built = Path.Combine(AppContext.BaseDirectory, "calicoctl");
        return File.Exists(built) ? built : Prerequisites.Require("calicoctl");
    }

    /// <summary>A command inside <c>&lt;lab&gt;-&lt;suffix&gt;</c>; its exit code and output.</summary>
    public static Task<Command.Result> InNetnsAsync(string netns, params string[] command) =>
        Command.RunAsync("ip", ["netns", "exec", netns, .. command], cancellationToken: CancellationToken.None);

    /// <summary>
    /// Polls until <paramref name="condition"/> holds or <paramref name="limit"/> passes (routing converges; the
    /// outcome, not the time it took, is what tests assert). Returns whether it held.
    /// </summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            if (await condition())
            {
                return true;
            }

            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(250);
        }
    }

    /// <summary>The lab's namespaces as ip netns list shows them.</summary>
    public IReadOnlyList<string> Namespaces() =>
        [.. IpTool.Run("netns", "list").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]).Where(n => n.StartsWith(Name + "-", StringComparison.Ordinal))];

    public void Dispose()
    {
        // Whatever the test did, the lab goes; down is idempotent.
        LabCli.RunAsync(["down", "--name", Name, "--state-dir", StateDir], TextWriter.Null, TextWriter.Null, CancellationToken.None).GetAwaiter().GetResult();
        _dir.Dispose();
    }
}
