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

    public Task<LabPod> RunPodAsync(string host, string pod, CancellationToken cancellationToken) =>
        LabWorkloads.RunAsync(
            Layout, _datastore, host, new PodRef("bench", pod), new Dictionary<string, string>(StringComparer.Ordinal), [], LabWorkloads.ListenerMode.None, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _datastore.DisposeAsync();
        await LabDown.DownAsync(Layout, TextWriter.Null, CancellationToken.None);
    }
}
