using System.Threading.Channels;
using Calico.Felix.Agent;
using Calico.Felix.Calc.Model;

namespace Calico.Node.Tests;

/// <summary>A dataplane driver that only records which policies each apply programmed (the agent's state keeps changing).</summary>
internal sealed class RecordingDataplaneDriver : IDataplaneDriver
{
    public Channel<IReadOnlyList<PolicyKey>> Applied { get; } = Channel.CreateUnbounded<IReadOnlyList<PolicyKey>>();

    public Task ApplyAsync(DesiredDataplane desired, CancellationToken cancellationToken)
    {
        Applied.Writer.TryWrite(desired.State.Policies.Keys.ToList());
        return Task.CompletedTask;
    }

    public Task<KernelReading> ReadKernelAsync(CancellationToken cancellationToken) => Task.FromResult(new KernelReading(0, null));

    public Task<DriftResult> RepairDriftAsync(DesiredDataplane desired, KernelReading? reading, CancellationToken cancellationToken) =>
        Task.FromResult(new DriftResult(null, false));
}
