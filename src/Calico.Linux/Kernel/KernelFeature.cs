namespace Calico.Linux.Kernel;

/// <summary>
/// One thing calico-node may ask of the kernel. <paramref name="ConfigOptions"/> must all be built (y, or m with the
/// module loadable) for the feature to count as present. <paramref name="Required"/> features are needed by every
/// node (calicoctl node checksystem prints FAIL without them); the others only when a setting asks for them
/// (WARNING).
/// </summary>
/// <param name="Name">The name used in checksystem output, logs and the metric's feature label.</param>
/// <param name="Description">What an operator would call it ("IP-in-IP tunnels").</param>
/// <param name="ConfigOptions">Kconfig options that must be built.</param>
/// <param name="Module">The module that provides it when built as =m (checked under /sys/module).</param>
/// <param name="Required">Needed on every node.</param>
/// <param name="Trial">How to try it without a kernel config.</param>
/// <param name="LinkKind">For <see cref="KernelTrial.PlainLink"/>: the rtnetlink kind.</param>
public sealed record KernelFeature(
    string Name,
    string Description,
    IReadOnlyList<string> ConfigOptions,
    string Module,
    bool Required,
    KernelTrial Trial,
    string? LinkKind = null);
