using System.Threading.Channels;
using Calico.Node.Agent;

namespace Calico.Node.Tests;

/// <summary>Records every apply; can be told to fail the next ones.</summary>
internal sealed class FakeDriver : IDataplaneDriver
{
    public Channel<DesiredDataplane> Applied { get; } = Channel.CreateUnbounded<DesiredDataplane>();

    public int FailuresToInject { get; set; }

    public int Attempts { get; private set; }

    public Task ApplyAsync(DesiredDataplane desired, CancellationToken cancellationToken)
    {
        Attempts++;
        if (FailuresToInject > 0)
        {
            FailuresToInject--;
            throw new InvalidOperationException("injected failure");
        }

        // Snapshot what matters: the state object is the agent's and keeps changing.
        Applied.Writer.TryWrite(desired with { State = Snapshot(desired.State) });
        return Task.CompletedTask;
    }

    public Task<string?> RepairDriftAsync(DesiredDataplane desired, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    private static Felix.Calc.Model.DataplaneState Snapshot(Felix.Calc.Model.DataplaneState state)
    {
        var copy = new Felix.Calc.Model.DataplaneState();
        foreach (var (key, endpoint) in state.Endpoints)
        {
            copy.Endpoints[key] = endpoint;
        }

        foreach (var (key, policy) in state.Policies)
        {
            copy.Policies[key] = policy;
        }

        return copy;
    }
}
