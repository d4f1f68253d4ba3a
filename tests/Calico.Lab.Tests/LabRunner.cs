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
