namespace Calico.Bird.Control;

/// <summary>One table's line of <c>show route count</c>: routes (all paths) and networks (distinct prefixes).</summary>
public sealed record BirdRouteCount(string Table, int Routes, int Networks);
