namespace Calico.Node.Bpf;

/// <summary>calico-node -bpf could not do what was asked (no pinned maps, no such endpoint): a message and exit 1.</summary>
public sealed class BpfToolException(string message) : Exception(message);
