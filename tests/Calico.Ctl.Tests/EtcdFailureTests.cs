using System.Diagnostics;
using Calico.TestKit;
using Xunit.Abstractions;

namespace Calico.Ctl.Tests;

/// <summary>
/// calicoctl (in-process) against a three-member etcd with one member frozen, and against an endpoint that accepts
/// TCP and never answers. Durations are logged; the only bound asserted is "before the old 30 s failure".
/// </summary>
[Trait("Tier", "Cluster")]
public sealed class EtcdFailureTests(EtcdClusterFixture fixture, ITestOutputHelper output) : IClassFixture<EtcdClusterFixture>, IAsyncLifetime
{
    private static readonly TimeSpan OldFailure = TimeSpan.FromSeconds(30);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => fixture.Cluster.RestoreAsync();

    [Fact]
    public async Task ApplyAndGet_OneMemberFrozen_Succeed()
    {
        var ctl = new CtlRunner(new Dictionary<string, string>
        {
            ["DATASTORE_TYPE"] = "etcdv3",
            ["ETCD_ENDPOINTS"] = string.Join(",", fixture.Cluster.ClientUrls),
        });
        fixture.Cluster.Members[2].Freeze();

        // Each run opens its own client, as separate calicoctl processes do; round-robin sends some calls to the frozen member.
        for (int i = 0; i < 3; i++)
        {
            var watch = Stopwatch.StartNew();
            string pool = $"""
                apiVersion: projectcalico.org/v3
                kind: IPPool
                metadata:
                  name: frozen-{i}
                spec:
                  cidr: 10.{i + 10}.0.0/16
                """;
            CtlResult apply = await ctl.RunAsync("apply -f -", pool);
            TimeSpan applied = watch.Elapsed;
            CtlResult get = await ctl.RunAsync("get ippool");
            output.WriteLine($"run {i}: apply {applied.TotalMilliseconds:0} ms, get {(watch.Elapsed - applied).TotalMilliseconds:0} ms");

            Assert.True(apply.ExitCode == 0, apply.ToString());
            Assert.True(get.ExitCode == 0, get.ToString());
            Assert.Contains($"frozen-{i}", get.Out, StringComparison.Ordinal);
            Assert.True(watch.Elapsed < OldFailure, $"took {watch.Elapsed}");
        }
    }

    [Fact]
    public async Task Get_SilentEndpoint_ErrorNamesEtcdEndpointAndDeadline()
    {
        using var silent = new SilentTcpListener();
        var ctl = new CtlRunner(new Dictionary<string, string> { ["DATASTORE_TYPE"] = "etcdv3", ["ETCD_ENDPOINTS"] = silent.Url });
        var watch = Stopwatch.StartNew();

        CtlResult get = await ctl.RunAsync("get nodes");

        output.WriteLine($"{watch.ElapsedMilliseconds} ms: {get}");
        Assert.Equal(1, get.ExitCode);
        Assert.Equal("", get.Out);
        Assert.Contains($"etcd at {silent.Url} did not answer list /calico/resources/v3/projectcalico.org/nodes/ within 10s", get.Err, StringComparison.Ordinal);
    }
}
