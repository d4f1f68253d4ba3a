namespace Calico.Lab.Tests;

/// <summary>
/// Labs with three calico-nodes each: one class at a time (two cores). The routing lab (<see cref="RoutingLabFixture"/>)
/// is shared by every routing test class of the collection.
/// </summary>
[CollectionDefinition(Name)]
public sealed class CrossHostCollection : ICollectionFixture<RoutingLabFixture>
{
    public const string Name = "cross-host";
}
