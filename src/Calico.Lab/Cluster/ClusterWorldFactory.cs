using System.Security.Cryptography;
using Calico.Lab.Conformance;

namespace Calico.Lab.Cluster;

/// <summary>
/// <c>conformance --cluster</c>: one lab for the whole run (its own name and temporary state directory), each
/// case's pods spread round-robin over its hosts, removed again with everything the case applied.
/// </summary>
public sealed class ClusterWorldFactory : ICaseWorldFactory, IAsyncDisposable
{
    private readonly LabLayout _layout;
    private readonly LabState _state;
    private readonly LabDatastore _datastore;

    private ClusterWorldFactory(LabLayout layout, LabState state, LabDatastore datastore)
    {
        _layout = layout;
        _state = state;
        _datastore = datastore;
    }

    public LabLayout Layout => _layout;

    /// <summary>Brings the lab up; <see cref="DisposeAsync"/> takes it down (also after a failed start).</summary>
    public static async Task<ClusterWorldFactory> StartAsync(UpOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var name = "cf" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var stateDir = Directory.CreateTempSubdirectory("calico-lab-" + name + "-").FullName;
        var layout = LabLayout.Create(name, stateDir);
        try
        {
            var state = await LabUp.UpAsync(layout, options, TextWriter.Null, cancellationToken).ConfigureAwait(false);
            return new ClusterWorldFactory(layout, state, LabDatastore.Open(layout, state));
        }
        catch
        {
            await LabDown.DownAsync(layout, TextWriter.Null, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    public async Task<ICaseWorld> CreateAsync(ConformanceCase testCase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(testCase);
        var snapshot = await StoreSnapshot.TakeAsync(_datastore.Client, cancellationToken).ConfigureAwait(false);
        var world = new ClusterWorld(_layout, _datastore, snapshot);
        try
        {
            var pods = testCase.Pods;
            var created = await Task.WhenAll(pods.Select((pod, i) => LabWorkloads.RunAsync(
                _layout, _datastore, _state.Hosts[i % _state.Hosts.Count].Name, pod,
                new Dictionary<string, string>(StringComparer.Ordinal), testCase.Probes, [], LabWorkloads.ListenerMode.None, cancellationToken))).ConfigureAwait(false);
            await world.StartAsync(pods, created, testCase.Probes, cancellationToken).ConfigureAwait(false);
            return world;
        }
        catch
        {
            await world.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _datastore.DisposeAsync().ConfigureAwait(false);
        await LabDown.DownAsync(_layout, TextWriter.Null, CancellationToken.None).ConfigureAwait(false);
    }
}
