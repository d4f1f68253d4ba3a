using System.Diagnostics;
using Calico.Lab.Cluster;
using Calico.TestKit;
using Xunit.Abstractions;

namespace Calico.Lab.Tests;

/// <summary>
/// <c>up --datastore etcdv3 --etcd-members 3</c> with two hosts: every client is given every member, and killing the
/// etcd leader (SIGKILL, by the PID lab.json records) neither stops a new pod from getting its address nor makes a
/// calico-node unready.
/// </summary>
[Trait("Tier", "Cluster")]
public sealed class EtcdClusterLabTests(ITestOutputHelper output) : IDisposable
{
    private readonly LabRunner _lab = new();

    [Fact]
    public async Task ThreeMembers_LeaderKilled_NewPodGetsAddressAndNodesStayReady()
    {
        IpTool.RequireRootTier();
        string up = await _lab.MustAsync("up", "--hosts", "2", "--datastore", "etcdv3", "--etcd-members", "3", "--no-flows");
        output.WriteLine(up);
        var layout = LabLayout.Create(_lab.Name, _lab.StateDir);
        LabState state = LabStateFile.Load(layout);
        Assert.Equal(3, state.EtcdMembers.Count);
        Assert.Equal(LabEtcd.Endpoints(3), state.EtcdEndpoints);
        Assert.Contains(LabEtcd.Endpoints(3), await File.ReadAllTextAsync(Path.Combine(state.Hosts[0].Directory, "10-calico.conflist")), StringComparison.Ordinal);
        Assert.Contains("ETCD_ENDPOINTS=" + LabEtcd.Endpoints(3), up, StringComparison.Ordinal);
        Assert.Equal(3, state.EtcdMembers.Select(m => m.Process!.Pid).Distinct().Count());
        await _lab.MustAsync("run", "host1", "x/before");

        LabEtcdMember leader = await LabEtcd.LeaderAsync(layout, state, CancellationToken.None)
            ?? throw new InvalidOperationException("no etcd member reports itself leader");
        using var watching = new CancellationTokenSource();
        Task<List<string>> readiness = WatchReadinessAsync(state, watching.Token);
        var watch = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-KILL", leader.Process!.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
            Assert.Equal(0, kill.ExitCode);
        }

        output.WriteLine($"killed etcd leader {leader.Name} (pid {leader.Process.Pid})");
        string run = await _lab.MustAsync("run", "host2", "x/after");
        output.WriteLine($"{watch.ElapsedMilliseconds} ms after the kill: {run}");
        Assert.Matches(@"pod x/after on host2: 10\.65\.", run);

        // The watches that were on the dead member move to another within ~10 s: keep looking at readiness past that.
        await Task.Delay(TimeSpan.FromSeconds(12));
        await watching.CancelAsync();
        List<string> unready = await readiness;
        Assert.True(unready.Count == 0, "calico-node became unready after the leader's death:\n" + string.Join("\n", unready));
        LabEtcdMember? newLeader = await LabEtcd.LeaderAsync(layout, state, CancellationToken.None);
        Assert.NotNull(newLeader);
        Assert.NotEqual(leader.Name, newLeader.Name);
    }

    public void Dispose() => _lab.Dispose();

    /// <summary>Every 250 ms, each host's /readiness; returns the samples that were not 200.</summary>
    private static async Task<List<string>> WatchReadinessAsync(LabState state, CancellationToken cancellationToken)
    {
        var unready = new List<string>();
        var watch = Stopwatch.StartNew();
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (LabHost host in state.Hosts)
            {
                if (!await NodeReadiness.IsReadyAsync(LabLayout.NetnsPath(host.Netns), CancellationToken.None))
                {
                    unready.Add($"{watch.ElapsedMilliseconds} ms: {host.Name} not ready");
                }
            }

            try
            {
                await Task.Delay(250, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return unready;
    }
}
