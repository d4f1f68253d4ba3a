namespace Calico.Lifecycle;

/// <summary>A lifecycle step that could not finish (e.g. a resource that kept changing while being deleted). Running again completes it.</summary>
public sealed class LifecycleException(string message) : Exception(message);
