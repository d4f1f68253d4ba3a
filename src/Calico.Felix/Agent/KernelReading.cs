namespace Calico.Felix.Agent;

/// <summary>A read-back of the kernel, taken after apply number <paramref name="Generation"/>.</summary>
internal sealed record KernelReading(long Generation, string? Table);
