namespace Calico.TestKit;

/// <summary>
/// The TestKit types that need root or start processes (etcd, network namespaces, child processes). A test class
/// holding one, directly or through its fixtures, is not a Unit-tier class; the tier guard in
/// Calico.Architecture.Tests checks that. Add a new fixture of that kind here.
/// </summary>
public static class RootTierTypes
{
    public static IReadOnlyList<Type> All { get; } =
    [
        typeof(EtcdFixture),
        typeof(EtcdClusterFixture),
        typeof(EtcdServer),
        typeof(EtcdCluster),
        typeof(EtcdMember),
        typeof(NetnsScope),
        typeof(ChildProcess),
    ];
}
