using System.Net;
using Calico.Lab.Conformance;
using Calico.Reachability;

namespace Calico.Lab.Cluster;

/// <summary>
/// One case on a lab: its pods (CNI-wired, each served by an in-process listener inside its namespace), measured
/// with real packets. The dataplane converges after each step, so a step is probed until it matches the
/// expectation or <see cref="SettleLimit"/> passes (the Kubernetes network policy e2e suite waits the same way).
/// </summary>
public sealed class ClusterWorld : ICaseWorld
{
    public static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(15);

    private readonly LabLayout _layout;
    private readonly LabDatastore _datastore;
    private readonly StoreSnapshot _snapshot;
    private readonly List<LabPod> _pods = [];
    private readonly List<ServeListener> _listeners = [];
    private List<ProbeTarget> _targets = [];
    private ConformanceWorld? _resources;

    internal ClusterWorld(LabLayout layout, LabDatastore datastore, StoreSnapshot snapshot)
    {
        _layout = layout;
        _datastore = datastore;
        _snapshot = snapshot;
    }

    public ConformanceWorld Resources => _resources ?? throw new InvalidOperationException("the world is not started");

    internal async Task StartAsync(IReadOnlyList<PodRef> pods, IReadOnlyList<LabPod> created, IReadOnlyList<Probe> probes, CancellationToken cancellationToken)
    {
        _pods.AddRange(created);
        var addresses = new Dictionary<PodRef, IPAddress>();
        var names = new Dictionary<PodRef, string>();
        for (var i = 0; i < pods.Count; i++)
        {
            addresses[pods[i]] = IPAddress.Parse(created[i].Address);
            names[pods[i]] = created[i].EndpointName;
            _listeners.Add(await ServeListener.StartAsync(created[i].Id, probes, LabLayout.NetnsPath(created[i].Netns), cancellationToken).ConfigureAwait(false));
        }

        _targets = [.. pods.Select((p, i) => new ProbeTarget(p.ToString(), LabLayout.NetnsPath(created[i].Netns), addresses[p]))];
        _resources = new ConformanceWorld(_datastore.Client, pods, addresses, names);
    }

    public async Task<IReadOnlyList<ProbeMatrix>> MeasureAsync(IReadOnlyList<Probe> probes, IReadOnlyDictionary<Probe, bool?[,]> expected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var deadline = DateTime.UtcNow + SettleLimit;
        while (true)
        {
            var matrices = await Prober.ProbeAsync(_targets, probes, cancellationToken).ConfigureAwait(false);
            if (matrices.All(m => !expected.TryGetValue(m.Probe, out var e) || m.Matches(e)) || DateTime.UtcNow >= deadline)
            {
                return matrices;
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var listener in _listeners)
        {
            await listener.DisposeAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(_pods.Select(p => LabWorkloads.DeleteAsync(_layout, p.Namespace, p.Name, CancellationToken.None))).ConfigureAwait(false);
        await _snapshot.RestoreAsync(_datastore.Client, CancellationToken.None).ConfigureAwait(false);
    }
}
