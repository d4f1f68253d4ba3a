using System.Threading.Channels;
using Calico.Felix.Agent;

namespace Calico.Felix.Tests.Agent;

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

    /// <summary>What ReadKernelAsync returns (a test may hold it back); by default an immediate empty reading.</summary>
    public Func<Task<KernelReading>> ReadKernel { get; set; } = () => Task.FromResult(new KernelReading(0, null));

    /// <summary>Results for the next drift checks, in order; when empty a check repairs nothing.</summary>
    public Queue<DriftResult> DriftResults { get; } = new();

    /// <summary>The reading every drift check was given (null: told to read on the loop).</summary>
    public Channel<KernelReading?> DriftChecks { get; } = Channel.CreateUnbounded<KernelReading?>();

    public Task<KernelReading> ReadKernelAsync(CancellationToken cancellationToken) => ReadKernel();

    public Task<DriftResult> RepairDriftAsync(DesiredDataplane desired, KernelReading? reading, CancellationToken cancellationToken)
    {
        DriftChecks.Writer.TryWrite(reading);
        return Task.FromResult(DriftResults.TryDequeue(out DriftResult? result) ? result : new DriftResult(null, false));
    }

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
