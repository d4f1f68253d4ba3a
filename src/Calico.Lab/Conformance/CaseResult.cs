namespace Calico.Lab.Conformance;

/// <summary>The outcome of one case: passed, or the report of what differed or failed.</summary>
public sealed record CaseResult(string File, bool Passed, string Report);
