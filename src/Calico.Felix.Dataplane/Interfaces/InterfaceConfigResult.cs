namespace Calico.Felix.Dataplane.Interfaces;

/// <summary>
/// The outcome of configuring one interface. A missing interface is an expected outcome (the veth was deleted, or
/// is not created yet), not an error: the caller tries again when the interface monitor sees it.
/// </summary>
public sealed record InterfaceConfigResult(bool InterfaceExists, int SysctlsWritten);
