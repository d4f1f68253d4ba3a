namespace Calico.Client;

/// <summary>A list that kept going past unreadable values: the good items, and each corrupt key with why.</summary>
public sealed record ResourceList(IReadOnlyList<Calico.Api.Resource> Items, IReadOnlyList<CorruptResourceException> Corrupt, long Revision);
