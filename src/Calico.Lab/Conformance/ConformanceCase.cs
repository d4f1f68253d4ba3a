using Calico.Reachability;

namespace Calico.Lab.Conformance;

/// <summary>One scenario: pods, probes, and the steps with their expected reachability.</summary>
public sealed record ConformanceCase(string Name, string? Description, IReadOnlyList<PodRef> Pods, IReadOnlyList<Probe> Probes, IReadOnlyList<CaseStep> Steps);
