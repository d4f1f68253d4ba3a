using System.Text;
using Calico.Api;
using Calico.Client;
using Calico.Datastore.Embedded;
using Calico.TestKit;

namespace Calico.KubeControllers.Tests;

/// <summary>Bad input to the program, run in-process over an embedded store: refused, naming what is wrong, exit 1.</summary>
[Trait("Tier", "Unit")]
public sealed class ControllersCliTests : IDisposable
{
    private readonly TempDirectory _dir = new("kc-cli");

    public void Dispose() => _dir.Dispose();

    private Dictionary<string, string> Environment(params (string, string)[] extra)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["DATASTORE_TYPE"] = "embedded",
            ["CALICO_DATASTORE_PATH"] = _dir.File("calico.db"),
        };
        foreach (var (k, v) in extra)
        {
            env[k] = v;
        }

        return env;
    }

    private async Task<(int Exit, string Stderr)> RunAsync(IReadOnlyDictionary<string, string> env, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        int exit = await ControllersCli.RunAsync([.. args, "--status-file", _dir.File("status.json")], env, stdout, stderr, timeout.Token);
        return (exit, stderr.ToString());
    }

    [Theory]
    [InlineData("--bogus", "unknown flag: --bogus")]
    [InlineData("--lease-duration=abc", "--lease-duration = 'abc'")]
    [InlineData("--lease-duration=1s", "must be at least 3s")]
    public async Task BadFlag_Refused(string flag, string expected)
    {
        var (exit, stderr) = await RunAsync(Environment(), flag);
        Assert.Equal(1, exit);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KubernetesOnlyController_Refused()
    {
        var (exit, stderr) = await RunAsync(Environment(("ENABLED_CONTROLLERS", "node,serviceaccount")));
        Assert.Equal(1, exit);
        Assert.Contains("ENABLED_CONTROLLERS", stderr, StringComparison.Ordinal);
        Assert.Contains("'serviceaccount' needs the Kubernetes API", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KubernetesDatastore_Refused()
    {
        var (exit, stderr) = await RunAsync(Environment(("DATASTORE_TYPE", "kubernetes")));
        Assert.Equal(1, exit);
        Assert.Contains("kubernetes", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoredLeakGracePeriodNotADuration_Refused()
    {
        await using (var store = new EmbeddedKeyValueStore(_dir.File("calico.db")))
        {
            var key = ResourceIdentity.Key(ResourceKinds.KubeControllersConfiguration, null, "default");
            var json = """{"kind":"KubeControllersConfiguration","apiVersion":"projectcalico.org/v3","metadata":{"name":"default"},"spec":{"controllers":{"node":{"leakGracePeriod":"abc"}}}}""";
            Assert.True((await store.CreateAsync(key, Encoding.UTF8.GetBytes(json), CancellationToken.None)).Succeeded);
        }

        var (exit, stderr) = await RunAsync(Environment());
        Assert.Equal(1, exit);
        Assert.Contains("leakGracePeriod", stderr, StringComparison.Ordinal);
        Assert.Contains("abc", stderr, StringComparison.Ordinal);
    }
}
