using Calico.Reachability;

namespace Calico.Lab.Conformance;

/// <summary>One case's pods and store, and a way to answer "who reaches whom" after each step.</summary>
public interface ICaseWorld : IAsyncDisposable
{
    ConformanceWorld Resources { get; }

    /// <summary>
    /// One matrix per probe, in the order given. <paramref name="expected"/> (the step's expectations by probe) lets a
    /// world that measures real packets keep measuring while the dataplane converges; the engine ignores it.
    /// </summary>
    Task<IReadOnlyList<ProbeMatrix>> MeasureAsync(IReadOnlyList<Probe> probes, IReadOnlyDictionary<Probe, bool?[,]> expected, CancellationToken cancellationToken);
}
