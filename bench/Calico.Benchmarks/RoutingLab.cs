using System.Diagnostics;
using System.Security.Cryptography;
using Calico.Lab.Cluster;
using Calico.Lab.Conformance;

namespace Calico.Benchmarks;

/// <summary>
/// A two-host calico-lab brought up in-process (hosts on the same fabric subnet, calico-node on each doing BGP
/// through BIRD 2, and VXLAN when asked), under a unique name and a temporary state dir; disposing runs
/// <c>calico-lab down</c>, which removes every namespace and process the lab made.
/// </summary>
internal sealed class RoutingLab : IAsyncDisposable
{
    /// <summary>Where the lab finds calico-node and calico unless CALICO_LAB_BIN_DIR says otherwise: ./build.sh's output.</summary>
    private const string DefaultBinDir = "/work/main/out/bin";

    private readonly LabDatastore _datastore;

    private RoutingLab(LabLayout layout, LabDatastore datastore)
    {
        Layout = layout;
        _datastore = datastore;
    }

    public LabLayout Layout { get; }

    /// <summary>The lab's datastore, for benchmarks that write resources or IPAM state directly.</summary>
    public LabDatastore Datastore => _datastore;

    public static async Task<RoutingLab> UpAsync(string encapsulation, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Binaries.EnvironmentVariable)))
        {
            Environment.SetEnvironmentVariable(Binaries.EnvironmentVariable, DefaultBinDir);
        }

        string name = "rb" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var layout = LabLayout.Create(name, Path.Combine(Path.GetTempPath(), "calico-bench-" + name));
        LabState state = await LabUp.UpAsync(layout, new UpOptions(Hosts: 2, Encapsulation: encapsulation), TextWriter.Null, cancellationToken);
        return new RoutingLab(layout, LabDatastore.Open(layout, state));
    }

    public LabHost Host(string name) => LabStateFile.Load(Layout).Hosts.Single(h => h.Name == name);

    /// <summary>
    /// Waits until host1's BGP session with host2 is Established. `up` returns before BIRD's connect delay (2 s, as
    /// upstream) has passed: a pod run before then measures session set-up, not the propagation of its block.
    /// </summary>
    public async Task WaitForMeshAsync(CancellationToken cancellationToken)
    {
        string host1Socket = LabLayout.BirdSocket(Host("host1"));
        string host2Address = Host("host2").Address;
        if (double.IsNaN(await RoutingShell.TimeUntilAsync(
            Stopwatch.GetTimestamp(),
            async () => File.Exists(host1Socket) && await RoutingShell.BgpStateAsync(host1Socket, host2Address, cancellationToken) == "Established",
            TimeSpan.FromSeconds(60),
            cancellationToken)))
        {
            throw new InvalidOperationException("host1's BGP session with host2 did not reach Established within 60 s");
        }
    }

    /// <summary>
    /// Starts watching <paramref name="host"/>'s IPv4 block affinities; the task ends with the timestamp
    /// (<see cref="Stopwatch.GetTimestamp"/>) at which a confirmed one arrived: the moment a new block exists for that
    /// host in the datastore, whatever the CNI plugin still does after its claim.
    /// </summary>
    public async Task<Task<long>> WatchBlockConfirmedAsync(string host, CancellationToken cancellationToken)
    {
        string prefix = Calico.Datastore.ResourceKeys.IpamAffinityPrefix(host, 4);
        long revision = (await _datastore.Store.ListAsync(prefix, cancellationToken)).Revision;
        return Task.Run(
            async () =>
            {
                await foreach (var e in _datastore.Store.WatchAsync(prefix, revision, cancellationToken))
                {
                    if (e.Value is { } value && System.Text.Encoding.UTF8.GetString(value).Contains("\"confirmed\"", StringComparison.Ordinal))
                    {
                        return Stopwatch.GetTimestamp();
                    }
                }

                throw new InvalidOperationException("the watch ended before a block was confirmed");
            },
            cancellationToken);
    }

    public Task<LabPod> RunPodAsync(string host, string pod, CancellationToken cancellationToken) =>
        LabWorkloads.RunAsync(
            Layout, _datastore, host, new PodRef("bench", pod), new Dictionary<string, string>(StringComparer.Ordinal), [], LabWorkloads.ListenerMode.None, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _datastore.DisposeAsync();
        await RoutingShell.CloseRouteSocketsAsync();
        await LabDown.DownAsync(Layout, TextWriter.Null, CancellationToken.None);
    }
}
