using Calico.Lab.Cluster;
using Calico.TestKit;

namespace Calico.Lab.Tests;

/// <summary>
/// One lab for a test class of conformance cases, as <c>conformance --cluster</c> brings up for a whole run: each
/// case then runs on it (its pods spread round-robin over the hosts, removed again with what it applied), so one
/// test per case costs no more lab start-ups than one test per folder did. Taken down when the class is done.
/// </summary>
public abstract class ConformanceLabFixture : IAsyncLifetime
{
    private ClusterWorldFactory? _worlds;

    /// <summary>The lab's worlds: one per case.</summary>
    public ClusterWorldFactory Worlds => _worlds ?? throw new InvalidOperationException("the conformance lab did not start");

    /// <summary><c>calico-lab up</c>'s options for this lab.</summary>
    protected abstract UpOptions Options { get; }

    public async Task InitializeAsync()
    {
        IpTool.RequireRootTier();
        _worlds = await ClusterWorldFactory.StartAsync(WithDataplaneFromEnvironment(Options), CancellationToken.None);
    }

    /// <summary>
    /// <c>CALICO_LAB_TEST_DATAPLANE=bpf</c> runs these labs on the eBPF dataplane (as <c>conformance --cluster
    /// --dataplane bpf</c>); unset: nftables. A bad value fails the class naming it.
    /// </summary>
    public const string DataplaneVariable = "CALICO_LAB_TEST_DATAPLANE";

    private static UpOptions WithDataplaneFromEnvironment(UpOptions options) =>
        Environment.GetEnvironmentVariable(DataplaneVariable) is { Length: > 0 } dataplane
            ? options with { Dataplane = UpOptions.ValidateDataplane(dataplane) }
            : options;

    public async Task DisposeAsync()
    {
        if (_worlds is not null)
        {
            await _worlds.DisposeAsync();
        }
    }
}
