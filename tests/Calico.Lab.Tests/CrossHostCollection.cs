namespace Calico.Lab.Tests;

/// <summary>Labs with three calico-nodes each: one at a time (two cores).</summary>
[CollectionDefinition(Name)]
public sealed class CrossHostCollection
{
    public const string Name = "cross-host";
}
