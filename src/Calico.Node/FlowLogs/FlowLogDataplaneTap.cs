using Calico.Felix.Agent;
using Calico.Felix.Calc.Model;

namespace Calico.Node.FlowLogs;

/// <summary>
/// Wraps the dataplane driver: at each apply with flow logs on, publishes a copy of the state being programmed, from
/// which the collector decodes log prefixes and evaluates pending traces on its own thread. The
/// copy is shallow for the immutable intents and copies IP set members (the graph changes those in place); it is
/// the only cost flow logs add to the agent's loop.
/// </summary>
internal sealed class FlowLogDataplaneTap(IDataplaneDriver inner) : IDataplaneDriver
{
    private volatile DataplaneState? _programmed;

    /// <summary>The state of the latest apply with flow logs on (null before one).</summary>
    public DataplaneState? Programmed => _programmed;

    public async Task ApplyAsync(DesiredDataplane desired, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        // Published before the kernel has it: the first logged packet of a new rule can reach the collector before
        // this apply returns (routes and interfaces come after the rules). The collector keeps the table before
        // this one too, so packets logged by the rules still in force when this apply fails decode as well.
        if (desired.Render.FlowLogs)
        {
            _programmed = Copy(desired.State);
        }

        await inner.ApplyAsync(desired, cancellationToken).ConfigureAwait(false);
    }

    public Task<KernelReading> ReadKernelAsync(CancellationToken cancellationToken) => inner.ReadKernelAsync(cancellationToken);

    public Task<DriftResult> RepairDriftAsync(DesiredDataplane desired, KernelReading? reading, CancellationToken cancellationToken) =>
        inner.RepairDriftAsync(desired, reading, cancellationToken);

    private static DataplaneState Copy(DataplaneState state)
    {
        var copy = new DataplaneState();
        foreach (var (id, set) in state.IpSets)
        {
            copy.IpSets[id] = (set.Type, new HashSet<string>(set.Members, StringComparer.Ordinal));
        }

        foreach (var (key, policy) in state.Policies)
        {
            copy.Policies[key] = policy;
        }

        foreach (var (id, profile) in state.Profiles)
        {
            copy.Profiles[id] = profile;
        }

        foreach (var (key, endpoint) in state.Endpoints)
        {
            copy.Endpoints[key] = endpoint;
        }

        return copy;
    }
}
