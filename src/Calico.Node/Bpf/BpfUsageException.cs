namespace Calico.Node.Bpf;

/// <summary>calico-node -bpf's arguments are wrong: the message, the usage and exit 2.</summary>
public sealed class BpfUsageException(string message) : Exception(message);
