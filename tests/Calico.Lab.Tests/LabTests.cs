using System.Text.Json;
using Calico.Api;
using Calico.Client;
using Calico.Datastore.Embedded;

namespace Calico.Lab.Tests;

/// <summary>Root tier: a one-host lab without calico-node (no nft table, so no policy: pods reach each other).</summary>
[Trait("Tier", "Root")]
public sealed partial class LabTests(LabFixture fixture) : IClassFixture<LabFixture>
{
    private LabRunner Lab => fixture.Lab;

    [Fact]
    public async Task Matrix_TwoPodsWithoutAgent_ReachEachOtherOnTcpAndUdp()
    {
        var output = await Lab.MustAsync("matrix");
        Assert.Equal(
            "TCP/80 (rows: from, columns: to; . allowed, X denied (dropped: no answer), o not listening (refused), ! unreachable (no route))\n" +
            "     x/a x/b\n" +
            "x/a  -   .  \n" +
            "x/b  .   -  \n" +
            "UDP/81 (rows: from, columns: to; . allowed, X denied (dropped: no answer), o not listening (refused), ! unreachable (no route))\n" +
            "     x/a x/b\n" +
            "x/a  -   .  \n" +
            "x/b  .   -  \n",
            output);
    }

    [Fact]
    public async Task Matrix_ProbeOnUnservedPort_IsNotListeningRatherThanDenied()
    {
        // Nothing serves 8080 and no policy drops it: the pod answers with a reset, which is not a Calico deny.
        var output = await Lab.MustAsync("matrix", "--probe", "TCP/8080");
        Assert.Contains("x/a  -   o", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exec_RunsInsideThePod_AndPassesTheExitCode()
    {
        var output = await Lab.MustAsync("exec", "x/a", "--", "ip", "-j", "-4", "addr", "show", "dev", "eth0");
        using var json = JsonDocument.Parse(output);
        var address = json.RootElement[0].GetProperty("addr_info")[0].GetProperty("local").GetString();
        Assert.StartsWith("10.65.", address, StringComparison.Ordinal);

        var failing = await Lab.RunAsync("exec", "x/a", "--", "sh", "-c", "exit 7");
        Assert.Equal(7, failing.ExitCode);
    }

    [Fact]
    public async Task Run_PodEndpoint_CarriesLabelsAndNamedPorts()
    {
        await using var store = new EmbeddedKeyValueStore(Path.Combine(Lab.StateDir, "calico.db"));
        var client = new ResourceClient(store, TimeProvider.System);
        var (items, _) = await client.ListAsync(ResourceKinds.WorkloadEndpoint, "x", CancellationToken.None);
        var a = Assert.Single(items.OfType<WorkloadEndpoint>(), w => w.Spec.Pod == "a");
        Assert.Equal("web", a.Metadata.Labels!["app"]);
        Assert.Equal("a", a.Metadata.Labels["pod"]);
        Assert.Equal(["serve-80-tcp", "serve-81-udp"], a.Spec.Ports!.Select(p => p.Name));
        Assert.Equal(["kns.x"], a.Spec.Profiles);
        Assert.NotNull(await client.GetAsync(ResourceKinds.KubernetesNamespace, null, "x", CancellationToken.None));
    }

    [Theory]
    [InlineData(new[] { "run", "host9", "x/c" }, "unknown host 'host9'")]
    [InlineData(new[] { "run", "host1", "x/c", "--serve", "TCP/80,ICMP/1" }, "--serve item 'ICMP/1'")]
    [InlineData(new[] { "run", "host1", "x/c", "--serve", "TCP/99999" }, "--serve item 'TCP/99999'")]
    [InlineData(new[] { "run", "host1", "x/c", "--labels", "app" }, "--labels item 'app'")]
    [InlineData(new[] { "run", "host1", "x/c", "--labels", "a=b,bad key=v" }, "--labels item 'bad key=v'")]
    [InlineData(new[] { "run", "host1", "X_/c" }, "'X_/c' is not <namespace>/<pod>")]
    [InlineData(new[] { "run", "host1", "x/a" }, "pod x/a already runs")]
    [InlineData(new[] { "exec", "x/zz", "--", "true" }, "unknown pod 'x/zz'")]
    [InlineData(new[] { "matrix", "--probe", "SCTP/5" }, "--probe 'SCTP/5'")]
    [InlineData(new[] { "up" }, "is already up")]
    public async Task BadArguments_ClearError_Exit1(string[] args, string message)
    {
        var outcome = await Lab.RunAsync(args[0], args[1..]);
        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains(message, outcome.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Lab.Name + "-x-c", Lab.Namespaces());
    }
}
